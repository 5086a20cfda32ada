package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// settings are what one deployment chooses, read from the CDK context
// (`cdk deploy -c domain=photos.example.com -c github=owner/repo`, or the
// context block of cdk.json).
type settings struct {
	// Domain is the instance's public host name: its URL, the bucket's CORS
	// origin and the TLS certificate's name.
	Domain string
	// GitHub is the owner/name of the repository whose main branch may deploy.
	GitHub string
	// GitHubOIDCProvider is the ARN of an existing GitHub OIDC provider; an
	// account holds one per URL, so a second stack must reuse it.
	GitHubOIDCProvider string
	// ImageTag is the tag the instance and the function start from. The CD
	// workflow moves both forward afterwards; "latest" keeps a stack update
	// from moving them back.
	ImageTag string
	// DeletionProtection guards the database (and keeps a snapshot and the
	// bucket when the stack is deleted). Off only for throwaway stacks.
	DeletionProtection bool
	// MySQLVersion is the database's major version: 8.0, the version wmory
	// was first deployed on, or 8.4, the next long-term release.
	MySQLVersion string
	// MultiAZ keeps a standby database in a second zone (twice its cost).
	MultiAZ bool
	// InstanceType and DatabaseInstanceType size the server and the database.
	InstanceType         string
	DatabaseInstanceType string
	// MailFrom is the sender of wmory's e-mails.
	MailFrom string
}

// Defaults sized for a group of friends: one small server, the smallest
// database, a function that scales out for upload bursts.
const (
	defaultInstanceType         = "t3.small"
	defaultDatabaseInstanceType = "t4g.micro"
)

var (
	domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	githubPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
)

// readSettings reads and checks the context, reporting every mistake at once.
func readSettings(scope constructs.Construct) (settings, error) {
	get := func(name string) string {
		v := scope.Node().TryGetContext(jsii.String(name))
		if v == nil {
			return ""
		}
		return strings.TrimSpace(fmt.Sprint(v))
	}
	s := settings{
		Domain:               strings.ToLower(get("domain")),
		GitHub:               get("github"),
		GitHubOIDCProvider:   get("githubOidcProviderArn"),
		ImageTag:             get("imageTag"),
		InstanceType:         get("instanceType"),
		DatabaseInstanceType: get("databaseInstanceType"),
		MailFrom:             get("mailFrom"),
		MySQLVersion:         get("mysqlVersion"),
	}
	var errs []error
	flag := func(name string, def bool) bool {
		v := get(name)
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("-c %s=%q: want true or false", name, v))
		}
		return b
	}
	s.DeletionProtection = flag("deletionProtection", true)
	s.MultiAZ = flag("multiAz", false)
	if !domainPattern.MatchString(s.Domain) {
		errs = append(errs, fmt.Errorf("-c domain=%q: the instance's host name is needed, such as -c domain=photos.example.com", s.Domain))
	}
	if !githubPattern.MatchString(s.GitHub) {
		errs = append(errs, fmt.Errorf("-c github=%q: the repository that deploys is needed, as owner/name", s.GitHub))
	}
	switch s.MySQLVersion {
	case "":
		s.MySQLVersion = "8.0"
	case "8.0", "8.4":
	default:
		errs = append(errs, fmt.Errorf("-c mysqlVersion=%q: want 8.0 or 8.4", s.MySQLVersion))
	}
	if s.ImageTag == "" {
		s.ImageTag = "latest"
	}
	if s.InstanceType == "" {
		s.InstanceType = defaultInstanceType
	}
	if s.DatabaseInstanceType == "" {
		s.DatabaseInstanceType = defaultDatabaseInstanceType
	}
	if s.MailFrom == "" {
		s.MailFrom = "wmory <noreply@" + s.Domain + ">"
	}
	return s, errors.Join(errs...)
}
