// Command wmory is the wmory server and its administration tool.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	// Time zones travel with the binary: uploads name the uploader's, and a
	// minimal image or a Lambda runtime may have no zone database.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wmory:", err)
		os.Exit(1)
	}
}
