package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running wmory on this machine whether it is ready, for
// a container's HEALTHCHECK (the image has no curl): exit status 0 when
// /readyz answers 200 within a few seconds. --url checks another address,
// such as a worker's operators' /healthz.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wmory healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "address to ask (default: /readyz on WMORY_ADDR's port at 127.0.0.1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *target == "" {
		addr := getenv("WMORY_ADDR")
		if addr == "" {
			addr = ":8080"
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("WMORY_ADDR %q: %v", addr, err)
		}
		*target = "http://" + net.JoinHostPort("127.0.0.1", port) + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", *target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: %s answered %d %s", *target, resp.StatusCode, body)
	}
	fmt.Fprintf(stdout, "healthy: %s\n", body)
	return nil
}
