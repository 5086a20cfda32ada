package imaging

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wmory/wmory"
)

// Photos are derived in helper processes: wmory's own binary started with
// Processor.Helper, one photo at a time each, kept for the next photo and
// killed (with its process group) when a photo passes its deadline. libvips
// runs in-process and cannot be stopped any other way; a killed helper takes
// whatever a hostile file made it allocate along.
//
// The protocol on the helper's stdin and stdout: a request is the photo's
// length (8 bytes, big-endian) and its bytes; an answer is the length of a
// JSON header (4 bytes), the header, then the preview and the thumbnail.

// helperAnswer heads the helper's output; the preview and thumbnail follow.
type helperAnswer struct {
	Reason      wmory.FailureReason `json:"reason,omitempty"`
	Detail      string              `json:"detail,omitempty"`
	Width       int                 `json:"width"`
	Height      int                 `json:"height"`
	TakenAt     *time.Time          `json:"taken_at,omitempty"`
	TakenOffset *int                `json:"taken_offset,omitempty"`
	PreviewLen  int                 `json:"preview_len"`
	ThumbLen    int                 `json:"thumb_len"`
}

// helperProc is one running helper.
type helperProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	killed atomic.Bool
}

func (h *helperProc) kill() {
	h.killed.Store(true)
	syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
}

func (h *helperProc) stop() {
	h.stdin.Close() // a helper exits at the end of its input
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.kill()
		<-done
	}
}

// helpers keeps the idle helpers of a Processor.
type helpers struct {
	mu   sync.Mutex
	idle []*helperProc
}

func (p *Processor) startHelper() (*helperProc, error) {
	args := append(p.Helper[1:len(p.Helper):len(p.Helper)], "-max-pixels", strconv.FormatInt(p.MaxPixels, 10),
		"-max-decode-bytes", strconv.FormatInt(p.MaxDecodeBytes, 10))
	cmd := exec.Command(p.Helper[0], args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("imaging: start the photo helper: %w", err)
	}
	return &helperProc{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 1<<20)}, nil
}

// StopHelpers ends the idle helpers, handing their memory back; the next
// photo starts a new one. The worker calls it when its queue runs dry.
func (p *Processor) StopHelpers() {
	p.pool.mu.Lock()
	idle := p.pool.idle
	p.pool.idle = nil
	p.pool.mu.Unlock()
	for _, h := range idle {
		h.stop()
	}
}

// photoInHelper derives a photo in a helper under the photo deadline.
func (p *Processor) photoInHelper(ctx context.Context, data []byte) (*Result, error) {
	p.pool.mu.Lock()
	var h *helperProc
	if n := len(p.pool.idle); n > 0 {
		h, p.pool.idle = p.pool.idle[n-1], p.pool.idle[:n-1]
	}
	p.pool.mu.Unlock()
	if h == nil {
		var err error
		if h, err = p.startHelper(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, p.PhotoTimeout)
	defer cancel()
	stopWatch := context.AfterFunc(ctx, h.kill)
	res, err := exchange(h, data)
	if !stopWatch() || h.killed.Load() {
		// Killed at the deadline (or the job was cancelled): never reused.
		h.cmd.Wait()
		if ctx.Err() == context.DeadlineExceeded {
			return nil, reject(wmory.FailTimeout, "photo helper ran out of its %v", p.PhotoTimeout)
		}
		return nil, ctx.Err()
	}
	var rej *Rejection
	if err != nil && !errors.As(err, &rej) {
		// A helper that broke off (a crash in a decoder) is not reused.
		h.kill()
		h.cmd.Wait()
		return nil, rejectf("photo helper: %v", err)
	}
	p.pool.mu.Lock()
	p.pool.idle = append(p.pool.idle, h)
	p.pool.mu.Unlock()
	return res, err
}

// exchange sends one photo and reads its answer.
func exchange(h *helperProc, data []byte) (*Result, error) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(data)))
	if _, err := h.stdin.Write(append(n[:], data...)); err != nil {
		return nil, err
	}
	var hl [4]byte
	if _, err := io.ReadFull(h.stdout, hl[:]); err != nil {
		return nil, err
	}
	head := make([]byte, binary.BigEndian.Uint32(hl[:]))
	if _, err := io.ReadFull(h.stdout, head); err != nil {
		return nil, err
	}
	var a helperAnswer
	if err := json.Unmarshal(head, &a); err != nil {
		return nil, err
	}
	rest := make([]byte, a.PreviewLen+a.ThumbLen)
	if _, err := io.ReadFull(h.stdout, rest); err != nil {
		return nil, err
	}
	if a.Reason != "" {
		return nil, &Rejection{Reason: a.Reason, Detail: a.Detail}
	}
	return &Result{Width: a.Width, Height: a.Height, TakenAt: a.TakenAt, TakenOffset: a.TakenOffset, Preview: rest[:a.PreviewLen], Thumbnail: rest[a.PreviewLen:]}, nil
}

// errHelperRequest is a request a helper cannot take: its length is absurd.
var errHelperRequest = errors.New("imaging: malformed helper request")

// ServeHelper is the helper's side: with the limits given in args, it derives
// each photo read from in and writes its answer to out, until in ends. A
// rejection is an answer; only broken pipes and bad requests are errors.
func ServeHelper(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("imaging-helper", flag.ContinueOnError)
	p := New()
	fs.Int64Var(&p.MaxPixels, "max-pixels", p.MaxPixels, "")
	fs.Int64Var(&p.MaxDecodeBytes, "max-decode-bytes", p.MaxDecodeBytes, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := bufio.NewReaderSize(in, 1<<20)
	w := bufio.NewWriterSize(out, 1<<20)
	for {
		var n [8]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		size := binary.BigEndian.Uint64(n[:])
		if size > 1<<32 {
			return errHelperRequest
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(r, data); err != nil {
			return err
		}
		var a helperAnswer
		res, err := p.photo(data)
		var rej *Rejection
		switch {
		case errors.As(err, &rej):
			a.Reason, a.Detail = rej.Reason, rej.Detail
		case err != nil:
			return err
		default:
			a.Width, a.Height, a.TakenAt, a.TakenOffset, a.PreviewLen, a.ThumbLen = res.Width, res.Height, res.TakenAt, res.TakenOffset, len(res.Preview), len(res.Thumbnail)
		}
		head, _ := json.Marshal(a)
		var hl [4]byte
		binary.BigEndian.PutUint32(hl[:], uint32(len(head)))
		w.Write(hl[:])
		w.Write(head)
		if res != nil {
			w.Write(res.Preview)
			w.Write(res.Thumbnail)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		// Between photos the helper holds no more than libvips' baseline.
		ReleaseMemory()
	}
}
