package imaging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/wmory/wmory"
)

// helperAnswer heads the helper's output; the preview and thumbnail follow.
type helperAnswer struct {
	Reason     wmory.FailureReason `json:"reason,omitempty"`
	Detail     string              `json:"detail,omitempty"`
	Width      int                 `json:"width"`
	Height     int                 `json:"height"`
	TakenAt    *time.Time          `json:"taken_at,omitempty"`
	PreviewLen int                 `json:"preview_len"`
	ThumbLen   int                 `json:"thumb_len"`
}

// photoInHelper derives a photo in a child process under the photo deadline.
func (p *Processor) photoInHelper(ctx context.Context, data []byte) (*Result, error) {
	args := append(p.Helper[1:len(p.Helper):len(p.Helper)], "-max-pixels", strconv.FormatInt(p.MaxPixels, 10),
		"-max-decode-bytes", strconv.FormatInt(p.MaxDecodeBytes, 10))
	out, err := p.run(ctx, p.PhotoTimeout, data, p.Helper[0], args...)
	if err != nil {
		return nil, err
	}
	head, rest, ok := bytes.Cut(out, []byte("\n"))
	var a helperAnswer
	if !ok || json.Unmarshal(head, &a) != nil {
		return nil, fmt.Errorf("imaging: unreadable helper output")
	}
	if a.Reason != "" {
		return nil, &Rejection{Reason: a.Reason, Detail: a.Detail}
	}
	if a.PreviewLen+a.ThumbLen != len(rest) {
		return nil, fmt.Errorf("imaging: helper output of %d bytes, announced %d", len(rest), a.PreviewLen+a.ThumbLen)
	}
	return &Result{Width: a.Width, Height: a.Height, TakenAt: a.TakenAt, Preview: rest[:a.PreviewLen], Thumbnail: rest[a.PreviewLen:]}, nil
}

// ServeHelper is the child's side of Processor.Helper: it derives the photo
// read from in, with the limits given in args, and writes the answer to out.
// A rejection is an answer; only a broken pipe or bad arguments are errors.
func ServeHelper(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("imaging-helper", flag.ContinueOnError)
	p := New()
	fs.Int64Var(&p.MaxPixels, "max-pixels", p.MaxPixels, "")
	fs.Int64Var(&p.MaxDecodeBytes, "max-decode-bytes", p.MaxDecodeBytes, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := io.ReadAll(in)
	if err != nil {
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
		a.Width, a.Height, a.TakenAt, a.PreviewLen, a.ThumbLen = res.Width, res.Height, res.TakenAt, len(res.Preview), len(res.Thumbnail)
	}
	head, _ := json.Marshal(a)
	if _, err := out.Write(append(head, '\n')); err != nil {
		return err
	}
	if res == nil {
		return nil
	}
	if _, err := out.Write(res.Preview); err != nil {
		return err
	}
	_, err = out.Write(res.Thumbnail)
	return err
}
