package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
)

const adminUsage = `usage:
  wmory admin create-user --email EMAIL --name NAME [--admin] [--password-file FILE]
  wmory admin promote EMAIL
  wmory admin demote EMAIL

The database is the one the environment names (DATABASE_URL, DB_HOST, …), as for serve.
create-user makes a verified account; without --password-file it prints a generated
password once.
`

// admin runs instance administration from the command line, where the first
// instance admin comes from.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return errors.New("admin: a subcommand is required")
	}
	c, err := loadConfig("admin", nil, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := wmory.Actor{UserAgent: "wmory admin (command line)"}
	switch args[0] {
	case "create-user":
		fs := flag.NewFlagSet("wmory admin create-user", flag.ContinueOnError)
		fs.SetOutput(stderr)
		email := fs.String("email", "", "the account's e-mail address")
		name := fs.String("name", "", "display name")
		isAdmin := fs.Bool("admin", false, "make the account an instance administrator")
		pwFile := fs.String("password-file", "", "read the password from this file (default: generate one)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return createUser(ctx, db, actor, *email, *name, *isAdmin, *pwFile, stdout)
	case "promote", "demote":
		if len(args) != 2 {
			fmt.Fprint(stderr, adminUsage)
			return fmt.Errorf("admin %s: give one e-mail address", args[0])
		}
		email, err := wmory.NormalizeEmail(args[1])
		if err != nil {
			return err
		}
		u, err := db.SetAdmin(ctx, actor, email, args[0] == "promote")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is %s an instance administrator\n", u.Email, map[bool]string{true: "now", false: "no longer"}[u.IsAdmin])
		return nil
	}
	fmt.Fprint(stderr, adminUsage)
	return fmt.Errorf("admin: unknown subcommand %q", args[0])
}

func createUser(ctx context.Context, db *sqldb.DB, actor wmory.Actor, email, name string, isAdmin bool, pwFile string, stdout io.Writer) error {
	email, err := wmory.NormalizeEmail(email)
	if err != nil {
		return err
	}
	if name == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	if name, err = wmory.ValidateName("name", name); err != nil {
		return err
	}
	var pw string
	generated := pwFile == ""
	if generated {
		b := make([]byte, 18)
		rand.Read(b)
		pw = base64.RawURLEncoding.EncodeToString(b)
	} else {
		b, err := os.ReadFile(pwFile)
		if err != nil {
			return err
		}
		pw = strings.TrimRight(string(b), "\r\n")
	}
	if err := wmory.ValidatePassword("password", pw); err != nil {
		return err
	}
	hash, err := password.New(password.DefaultParams).Hash(ctx, pw)
	if err != nil {
		return err
	}
	u, err := db.CreateUser(ctx, actor, email, name, hash, isAdmin)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s)%s\n", u.Email, u.ID, map[bool]string{true: ", instance administrator", false: ""}[isAdmin])
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", pw)
	}
	return nil
}
