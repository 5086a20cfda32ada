package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
)

// offlineImages answers buildkit's questions about base images without a
// registry: the lint needs their existence, not their contents.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, digest.FromString(ref), []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`), nil
}

// The Dockerfile passes buildkit's own linter (the checks docker build runs)
// with no warning, and keeps to what builds everywhere: no syntax directive
// (it makes the builder download a frontend) and no heredocs.
func TestDockerfileLint(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := dockerfile2llb.DockerfileLint(t.Context(), src, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{},
		SourceMap:    &llb.SourceMap{Filename: "Dockerfile", Language: "Dockerfile", Data: src, Definition: &llb.Definition{}},
		MetaResolver: offlineImages{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("the Dockerfile does not parse: %s", res.Error.Message)
	}
	for _, w := range res.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		t.Errorf("Dockerfile:%d: %s: %s", line, w.RuleName, w.Detail)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(strings.ToLower(strings.ReplaceAll(l, " ", "")), "#syntax=") {
			t.Errorf("Dockerfile:%d: a syntax directive", i+1)
		}
		if strings.Contains(l, "<<") {
			t.Errorf("Dockerfile:%d: a heredoc", i+1)
		}
	}
}
