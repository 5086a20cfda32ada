// Package lambda is wmory's thumbnail function on AWS Lambda: S3's
// ObjectCreated notifications (straight from S3, or wrapped by SQS, SNS or
// EventBridge) complete the uploads whose bytes arrived and process their
// items within the invocation. It adds no rule of its own: the media
// lifecycle completes, the job queue runs the item's job under its lease.
package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/sqldb"
)

// Arrivals is the lifecycle's entry for bytes that arrived in the store.
type Arrivals interface {
	Arrived(ctx context.Context, source, key string) (*wmory.Media, error)
}

// Jobs runs the job about a subject now, unless another process holds it.
type Jobs interface {
	RunJobAbout(ctx context.Context, kind sqldb.JobKind, subject string) error
}

// Function handles one invocation's notifications.
type Function struct {
	arrivals Arrivals
	jobs     Jobs
	log      *slog.Logger
}

// New returns the function over the lifecycle and the job queue.
func New(arrivals Arrivals, jobs Jobs, log *slog.Logger) *Function {
	return &Function{arrivals: arrivals, jobs: jobs, log: log}
}

// Handle completes and processes the item of every created object the event
// names. It returns an error naming the objects it could not finish, so that
// Lambda delivers the event again (each step is idempotent, and what was
// finished is skipped then); a file that cannot be processed ends failed,
// not retried. An event that is not an S3 notification is logged and dropped:
// delivering it again cannot help. A batch of SQS messages is answered
// message by message instead: the response names the messages to deliver
// again (the event source mapping must report batch item failures).
func (f *Function) Handle(ctx context.Context, event json.RawMessage) (*events.SQSEventResponse, error) {
	start := time.Now()
	objects, failed := 0, 0
	defer func() {
		f.log.Info("invocation", "objects", objects, "failed", failed, "seconds", time.Since(start).Seconds())
	}()
	var batch events.SQSEvent
	if json.Unmarshal(event, &batch) == nil && isSQS(batch) {
		var resp *events.SQSEventResponse
		for _, m := range batch.Records {
			n, err := f.handle(ctx, []byte(m.Body))
			objects += n
			if err != nil {
				failed++
				if resp == nil {
					resp = &events.SQSEventResponse{}
				}
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
		}
		return resp, nil
	}
	n, err := f.handle(ctx, event)
	objects = n
	if err != nil {
		failed = 1
	}
	return nil, err
}

func isSQS(batch events.SQSEvent) bool {
	for _, m := range batch.Records {
		if m.EventSource != "aws:sqs" || m.MessageId == "" {
			return false
		}
	}
	return len(batch.Records) > 0
}

// handle finishes the objects of one notification and returns how many it
// named.
func (f *Function) handle(ctx context.Context, event []byte) (int, error) {
	keys, err := media.CreatedKeys(event)
	if err != nil {
		f.log.Warn("dropped an event that is not an S3 notification", "err", err, "size", len(event))
		return 0, nil
	}
	var failed []string
	var errs []error
	for _, key := range keys {
		if err := f.finish(ctx, key); err != nil {
			f.log.Error("object not finished; the event will be delivered again", "key", key, "err", err)
			failed = append(failed, key)
			errs = append(errs, err)
		}
	}
	if len(failed) > 0 {
		return len(keys), fmt.Errorf("%d of %d objects not finished (%s): %w", len(failed), len(keys), strings.Join(failed, ", "), errors.Join(errs...))
	}
	return len(keys), nil
}

// finish completes the upload of key if it is still pending, then runs the
// jobs about its object that are due: the item's processing (whoever
// completed it: a client's complete that came first leaves the job to
// whichever of the function and a worker takes it), or the deletion of bytes
// that were refused.
func (f *Function) finish(ctx context.Context, key string) error {
	if _, err := f.arrivals.Arrived(ctx, media.FromLambda, key); err != nil {
		return err
	}
	if err := f.jobs.RunJobAbout(ctx, sqldb.JobProcessMedia, key); err != nil {
		return err
	}
	return f.jobs.RunJobAbout(ctx, sqldb.JobDeleteObjects, key)
}

// Start hands the function to the Lambda runtime, which calls it for each
// invocation; it never returns (the runtime ends the process). onStop runs
// when Lambda shuts the function's environment down.
func Start(ctx context.Context, f *Function, onStop func()) {
	awslambda.StartWithOptions(f.Handle, awslambda.WithContext(ctx), awslambda.WithEnableSIGTERM(onStop))
}
