package media

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// s3Event is the part of an event wmory reads, in each shape S3 notifications
// arrive in: S3's own records, those records inside an SQS message body or an
// SNS message (or SNS inside SQS), and EventBridge's "Object Created". Only
// what is needed is decoded, loosely: stores that imitate S3 differ in the
// rest (versitygw quotes eTags, sends lifecycleRestorationExpiryTime as ""
// and does not URL-encode keys).
type s3Event struct {
	Records []struct {
		EventName string `json:"eventName"`
		S3        struct {
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
		Body string `json:"body"` // SQS
		Sns  struct {
			Message string `json:"Message"`
		} `json:"Sns"` // SNS
	} `json:"Records"`
	Type       string `json:"Type"`    // an SNS notification, as SQS delivers it
	Message    string `json:"Message"` //
	DetailType string `json:"detail-type"`
	Source     string `json:"source"`
	Detail     struct {
		Object struct {
			Key string `json:"key"`
		} `json:"object"`
	} `json:"detail"` // EventBridge
}

// CreatedKeys returns the object keys of the ObjectCreated records of an S3
// event notification, in AWS's format ("ObjectCreated:Put", URL-encoded keys)
// or an S3-compatible store's ("s3:ObjectCreated:Put", keys as they are),
// directly or wrapped by SQS, SNS or EventBridge. Other records (deletions, a
// store's test event) are left out.
func CreatedKeys(body []byte) ([]string, error) { return createdKeys(body, 0) }

func createdKeys(body []byte, depth int) ([]string, error) {
	var ev s3Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("media: not an S3 event notification: %w", err)
	}
	var keys []string
	wrapped := func(inner string) error {
		if depth >= 3 || inner == "" {
			return nil
		}
		k, err := createdKeys([]byte(inner), depth+1)
		keys = append(keys, k...)
		return err
	}
	if ev.Source == "aws.s3" && ev.DetailType == "Object Created" && ev.Detail.Object.Key != "" {
		keys = append(keys, decodeKey(ev.Detail.Object.Key))
	}
	if ev.Type == "Notification" {
		if err := wrapped(ev.Message); err != nil {
			return nil, err
		}
	}
	for _, r := range ev.Records {
		if err := wrapped(r.Body); err != nil {
			return nil, err
		}
		if err := wrapped(r.Sns.Message); err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(r.EventName, "s3:")
		if !strings.HasPrefix(name, "ObjectCreated:") || r.S3.Object.Key == "" {
			continue
		}
		keys = append(keys, decodeKey(r.S3.Object.Key))
	}
	return keys, nil
}

// decodeKey undoes AWS's form encoding of keys in events ("+" for a space).
// The keys wmory makes hold neither "%" nor "+", so a key sent as it is comes
// out unchanged.
func decodeKey(k string) string {
	if !strings.ContainsAny(k, "%+") {
		return k
	}
	if d, err := url.QueryUnescape(k); err == nil {
		return d
	}
	return k
}
