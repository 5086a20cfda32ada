package mail

import (
	"context"
	"sync"
)

// Memory keeps messages in a slice. Tests of code that sends mail use it to read
// the links; it is a real Mailer, not a stand-in for a server protocol.
type Memory struct {
	mu   sync.Mutex
	sent []Message
}

func (m *Memory) Send(ctx context.Context, msg Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

// Sent returns a copy of what was sent so far.
func (m *Memory) Sent() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.sent...)
}
