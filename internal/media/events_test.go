package media

import (
	"fmt"
	"testing"
)

// Event notifications as AWS S3 sends them and as versitygw does.
func TestCreatedKeys(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"aws": {`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"photos","arn":"arn:aws:s3:::photos"},
			"object":{"key":"o/g1/u1","size":1000,"eTag":"0123abc","sequencer":"0A1B2C"}}},{"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"o/g1/u0"}}}]}`, []string{"o/g1/u1"}},
		"aws, encoded key": {`{"Records":[{"eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"object":{"key":"o/g1/a+b%2Fc"}}}]}`, []string{"o/g1/a b/c"}},
		"versitygw": {`{"Records":[{"eventVersion":"2.2","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-02T04:00:00Z","eventName":"s3:ObjectCreated:Put",
			"s3":{"s3SchemaVersion":"1.0","bucket":{"name":"photos","arn":"arn:aws:s3:::/photos/o/g1/u2"},"object":{"key":"o/g1/u2","size":1000,"eTag":"\"0123abc\"","sequencer":""}},
			"glacierEventData":{"restoreEventData":{"lifecycleRestorationExpiryTime":"","lifecycleRestoreStorageClass":""}}}]}`, []string{"o/g1/u2"}},
		"versitygw test event": {`{"Records":[{"eventName":"s3:TestEvent","s3":{"object":{"key":""}}}]}`, nil},
		"sqs":                  {`{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"object\":{\"key\":\"o/g1/u3\"}}}]}"}]}`, []string{"o/g1/u3"}},
		"sns":                  {`{"Records":[{"EventSource":"aws:sns","Sns":{"Type":"Notification","Message":"{\"Records\":[{\"eventName\":\"ObjectCreated:Post\",\"s3\":{\"object\":{\"key\":\"o/g1/u4\"}}}]}"}}]}`, []string{"o/g1/u4"}},
		"sns in sqs":           {`{"Records":[{"eventSource":"aws:sqs","body":"{\"Type\":\"Notification\",\"Message\":\"{\\\"Records\\\":[{\\\"eventName\\\":\\\"ObjectCreated:Put\\\",\\\"s3\\\":{\\\"object\\\":{\\\"key\\\":\\\"o/g1/u5\\\"}}}]}\"}"}]}`, []string{"o/g1/u5"}},
		"eventbridge":          {`{"version":"0","detail-type":"Object Created","source":"aws.s3","detail":{"version":"0","bucket":{"name":"photos"},"object":{"key":"o/g1/u6","size":1000}}}`, []string{"o/g1/u6"}},
	} {
		got, err := CreatedKeys([]byte(tc.body))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, tc.want)
		}
	}
	if _, err := CreatedKeys([]byte("not json")); err == nil {
		t.Error("garbage decoded as an event")
	}
}
