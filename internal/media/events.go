package media

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// s3Event is the part of an S3 event notification wmory reads. Only what is
// needed is decoded, loosely: stores that imitate S3 differ in the rest
// (versitygw quotes eTags, sends lifecycleRestorationExpiryTime as "" and
// does not URL-encode keys).
type s3Event struct {
	Records []struct {
		EventName string `json:"eventName"`
		S3        struct {
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

// CreatedKeys returns the object keys of the ObjectCreated records of an S3
// event notification, in AWS's format ("ObjectCreated:Put", URL-encoded keys)
// or an S3-compatible store's ("s3:ObjectCreated:Put", keys as they are). Other
// records (deletions, a store's test event) are left out.
func CreatedKeys(body []byte) ([]string, error) {
	var ev s3Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("media: not an S3 event notification: %w", err)
	}
	var keys []string
	for _, r := range ev.Records {
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
