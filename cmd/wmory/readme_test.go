package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's configuration table and the settings wmory reads agree: every
// setting is there with its flag, and the table names nothing wmory does not
// read.
func TestREADMEConfigurationTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "## Configuration")
	if start < 0 {
		t.Fatal("the README has no configuration section")
	}
	section = section[start:]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	names := regexp.MustCompile("`([A-Z][A-Z0-9_]+|--[a-z0-9-]+)`")
	rowFlags := map[string][]string{} // env → the flags of its row
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(line, "| `") {
			continue
		}
		var flags []string
		for _, m := range names.FindAllStringSubmatch(cells[2], -1) {
			flags = append(flags, m[1])
		}
		for _, m := range names.FindAllStringSubmatch(cells[1], -1) {
			rowFlags[m[1]] = flags
		}
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.env] = true
		flags, ok := rowFlags[s.env]
		if !ok {
			t.Errorf("%s is not in the README's configuration table", s.env)
			continue
		}
		if s.flag != "" && !strings.Contains(strings.Join(flags, " "), "--"+s.flag) {
			t.Errorf("the README's row of %s does not name its flag --%s (it says %v)", s.env, s.flag, flags)
		}
	}
	for env := range rowFlags {
		if !known[env] {
			t.Errorf("the README's configuration table names %s, which wmory does not read as a setting", env)
		}
	}
}
