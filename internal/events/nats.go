// Package events receives the object store's event notifications from a
// message broker (NATS) and hands each created object to the media
// lifecycle; the store's webhook (POST /events/s3) is the other way in.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/wmory/wmory/internal/media"
)

// queueGroup makes each notification reach one wmory process, however many
// subscribe.
const queueGroup = "wmory"

// SubscribeNATS subscribes to the subject of a nats://host:port/SUBJECT URL
// and calls arrived for every object an ObjectCreated notification names. The
// returned function unsubscribes and closes the connection.
func SubscribeNATS(ctx context.Context, rawURL string, arrived func(ctx context.Context, key string) error, log *slog.Logger) (func(), error) {
	server, subject, err := ParseNATSURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := nats.Connect(server, nats.Name("wmory"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("store events from NATS: %w", err)
	}
	work := context.WithoutCancel(ctx)
	sub, err := conn.QueueSubscribe(subject, queueGroup, func(msg *nats.Msg) {
		keys, err := media.CreatedKeys(msg.Data)
		if err != nil {
			log.Warn("store event not understood", "subject", msg.Subject, "err", err)
			return
		}
		for _, k := range keys {
			// A failure here is not lost: the sweep completes the upload
			// before it would expire.
			if err := arrived(work, k); err != nil {
				log.Error("complete an upload from a store event", "err", err)
			}
		}
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("store events from NATS: %w", err)
	}
	if err := conn.Flush(); err != nil { // the subscription is in place when this returns
		conn.Close()
		return nil, fmt.Errorf("store events from NATS: %w", err)
	}
	return func() { sub.Unsubscribe(); conn.Close() }, nil
}

// ParseNATSURL splits nats://host:port/SUBJECT into the server URL and the
// subject.
func ParseNATSURL(raw string) (server, subject string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "nats" || u.Host == "" {
		return "", "", errors.New("want nats://host:port/SUBJECT")
	}
	subject = strings.TrimPrefix(u.Path, "/")
	if subject == "" || strings.ContainsAny(subject, " /") {
		return "", "", errors.New("want a subject after the address, such as nats://127.0.0.1:4222/photos.events")
	}
	u.Path = ""
	return u.String(), subject, nil
}
