package lambda_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/lambda"
)

// steps records what the function asked of the lifecycle and the queue, and
// fails what it is told to.
type steps struct {
	did  []string
	fail map[string]bool
}

func (s *steps) Arrived(ctx context.Context, source, key string) (*wmory.Media, error) {
	s.did = append(s.did, "arrived "+source+" "+key)
	if s.fail[key] {
		return nil, errors.New("database unreachable")
	}
	return nil, nil
}

func (s *steps) RunJobAbout(ctx context.Context, kind, subject string) error {
	s.did = append(s.did, "run "+kind+" "+subject)
	return nil
}

const twoObjects = `{"Records":[
 {"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"o/g/one"}}},
 {"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"o/g/two"}}}]}`

// Each object of an event goes through the lifecycle and then its jobs; one
// that could not be finished fails the invocation, naming it, so that Lambda
// delivers the event again, while the others are done.
func TestHandle(t *testing.T) {
	s := &steps{fail: map[string]bool{"o/g/one": true}}
	f := lambda.New(s, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := f.Handle(t.Context(), []byte(twoObjects))
	if err == nil || !strings.Contains(err.Error(), "1 of 2 objects not finished (o/g/one)") {
		t.Fatalf("Handle = %v", err)
	}
	want := "arrived lambda o/g/one|arrived lambda o/g/two|run process_media o/g/two|run delete_objects o/g/two"
	if got := strings.Join(s.did, "|"); got != want {
		t.Fatalf("steps:\n%s\nwant\n%s", got, want)
	}

	// Not an S3 notification: dropped, since a retry cannot help.
	s = &steps{}
	f = lambda.New(s, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := f.Handle(t.Context(), []byte(`"hello"`)); err != nil || len(s.did) != 0 {
		t.Fatalf("a foreign event: %v, %v", err, s.did)
	}
}
