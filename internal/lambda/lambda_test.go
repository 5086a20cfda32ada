package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/lambda"
	"github.com/wmory/wmory/internal/sqldb"
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

func (s *steps) RunJobAbout(ctx context.Context, kind sqldb.JobKind, subject string) error {
	s.did = append(s.did, "run "+string(kind)+" "+subject)
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
	resp, err := f.Handle(t.Context(), []byte(twoObjects))
	if resp != nil || err == nil || !strings.Contains(err.Error(), "1 of 2 objects not finished (o/g/one)") {
		t.Fatalf("Handle = %v", err)
	}
	want := "arrived lambda o/g/one|arrived lambda o/g/two|run process_media o/g/two|run delete_objects o/g/two"
	if got := strings.Join(s.did, "|"); got != want {
		t.Fatalf("steps:\n%s\nwant\n%s", got, want)
	}

	// Not an S3 notification: dropped, since a retry cannot help.
	s = &steps{}
	f = lambda.New(s, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if resp, err := f.Handle(t.Context(), []byte(`"hello"`)); resp != nil || err != nil || len(s.did) != 0 {
		t.Fatalf("a foreign event: %v, %v, %v", resp, err, s.did)
	}
}

// Through SQS, each message is answered on its own: only the message whose
// object could not be finished is delivered again.
func TestHandleSQSBatch(t *testing.T) {
	s := &steps{fail: map[string]bool{"o/g/one": true}}
	f := lambda.New(s, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	message := func(id, key string) map[string]string {
		body := `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"` + key + `"}}}]}`
		return map[string]string{"messageId": id, "eventSource": "aws:sqs", "body": body}
	}
	event, _ := json.Marshal(map[string]any{"Records": []any{message("m1", "o/g/one"), message("m2", "o/g/two")}})
	resp, err := f.Handle(t.Context(), event)
	if err != nil || resp == nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m1" {
		t.Fatalf("Handle = %+v, %v; want m1 to be delivered again", resp, err)
	}
	if !strings.Contains(strings.Join(s.did, "|"), "run process_media o/g/two") {
		t.Fatalf("the other message was not finished: %v", s.did)
	}
	// All finished: nothing to deliver again.
	s.fail = nil
	if resp, err := f.Handle(t.Context(), event); resp != nil || err != nil {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
}
