package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The workflows pass actionlint, with shellcheck on their run steps, and the
// shell scripts the image and the deployment use pass shellcheck.
func TestWorkflowsAndScriptsLint(t *testing.T) {
	actionlint := findTool(t, "actionlint")
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is not installed (make test-deps installs it)")
	}
	workflows, _ := filepath.Glob(filepath.Join("..", ".github", "workflows", "*.yml"))
	if len(workflows) < 2 {
		t.Fatalf("workflows: %v", workflows)
	}
	if out, err := exec.Command(actionlint, append([]string{"-shellcheck", shellcheck}, workflows...)...).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
	scripts, _ := filepath.Glob(filepath.Join("*", "*.sh"))
	if len(scripts) < 3 {
		t.Fatalf("scripts: %v", scripts)
	}
	if out, err := exec.Command(shellcheck, scripts...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// Every action a workflow uses is pinned to a full commit, with its version
// beside it for people; AWS is reached through OIDC and a role, never keys.
func TestWorkflowsPinActionsAndHoldNoKeys(t *testing.T) {
	pinned := regexp.MustCompile(`^\s*(- )?uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$`)
	workflows, _ := filepath.Glob(filepath.Join("..", ".github", "workflows", "*.yml"))
	for _, w := range workflows {
		src, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "uses:") && !pinned.MatchString(line) {
				t.Errorf("%s:%d: not pinned to a commit: %s", filepath.Base(w), i+1, strings.TrimSpace(line))
			}
			for _, key := range []string{"aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "secrets."} {
				if strings.Contains(line, key) {
					t.Errorf("%s:%d: %s: AWS is reached by role only", filepath.Base(w), i+1, key)
				}
			}
		}
	}
	deploy, _ := os.ReadFile(filepath.Join("..", ".github", "workflows", "deploy.yml"))
	for _, want := range []string{"id-token: write", "role-to-assume:", "ssm send-command", "branches: [main]"} {
		if !strings.Contains(string(deploy), want) {
			t.Errorf("deploy.yml lacks %q", want)
		}
	}
}
