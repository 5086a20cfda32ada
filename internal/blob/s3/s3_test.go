package s3_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
)

func TestConformance(t *testing.T) {
	gw := blobtest.StartVersityGW(t)
	// Credentials reach the store only through the SDK's default chain.
	gw.UseCredentials(t)
	n := 0
	blobtest.Run(t, func(t *testing.T) blobtest.Clocked {
		n++
		bucket := fmt.Sprintf("wmory-test-%d", n)
		gw.CreateBucket(t, bucket)
		s, err := s3.New(context.Background(), s3.Config{Bucket: bucket, Endpoint: gw.Endpoint, PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		return s
	})
}

// relay forwards TCP connections to target: the public side of a reverse
// proxy or of a container's published port, which clients see and the server
// does not use.
func relay(t *testing.T, target string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.Copy(c, up)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// With a public endpoint, every signed URL names it, and works through it,
// while the server's own requests go to the store directly (here the relay
// is the only way a client could reach the store: the suite's PUTs and GETs
// all pass it).
func TestConformanceWithAPublicEndpoint(t *testing.T) {
	gw := blobtest.StartVersityGW(t)
	gw.UseCredentials(t)
	u, _ := url.Parse(gw.Endpoint)
	public := relay(t, u.Host)
	n := 0
	blobtest.Run(t, func(t *testing.T) blobtest.Clocked {
		n++
		bucket := fmt.Sprintf("wmory-public-%d", n)
		gw.CreateBucket(t, bucket)
		s, err := s3.New(context.Background(), s3.Config{Bucket: bucket, Endpoint: gw.Endpoint, PathStyle: true, PublicEndpoint: public})
		if err != nil {
			t.Fatal(err)
		}
		put, err := s.PresignPut(context.Background(), "o/x", blob.PutOptions{Size: 1, ContentType: "image/jpeg", TTL: time.Minute})
		get, gerr := s.PresignGet(context.Background(), "o/x", blob.GetOptions{TTL: time.Minute})
		if err != nil || gerr != nil || !strings.HasPrefix(put.URL, public+"/") || !strings.HasPrefix(get, public+"/") {
			t.Fatalf("signed URLs %q and %q (%v, %v) do not name %s", put.URL, get, err, gerr, public)
		}
		return s
	})
}

// A store that starts empty gets its bucket at wmory's first start, once.
func TestCreateBucket(t *testing.T) {
	gw := blobtest.StartVersityGW(t)
	gw.UseCredentials(t)
	s, err := s3.New(context.Background(), s3.Config{Bucket: "fresh", Endpoint: gw.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Fatal("the bucket exists before it was made")
	}
	for range 2 {
		if err := s.CreateBucket(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("after CreateBucket: %v", err)
	}
}
