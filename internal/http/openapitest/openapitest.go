// Package openapitest checks HTTP responses against the OpenAPI document that the
// server itself serves, so that the document and the behaviour cannot drift.
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator knows the routes and schemas of one document.
type Validator struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
	ops      []operation
	// Seen counts checked responses per "METHOD path-template", for coverage.
	Seen map[string]int
}

type operation struct {
	method, template string
	re               *regexp.Regexp
	responses        map[string]string // status or "default" → schema name ("" for no body)
}

const docURL = "https://wmory.invalid/openapi.json"

// New reads an OpenAPI 3.1 document.
func New(doc []byte) (*Validator, error) {
	var d struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(d.OpenAPI, "3.1") {
		return nil, fmt.Errorf("openapi version %q, want 3.1.x", d.OpenAPI)
	}
	// Component schemas become the $defs of one JSON Schema 2020-12 document.
	defs, _ := json.Marshal(d.Components.Schemas)
	defs = bytes.ReplaceAll(defs, []byte(`"#/components/schemas/`), []byte(`"#/$defs/`))
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":` + string(defs) + `}`)))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(docURL, root); err != nil {
		return nil, err
	}
	v := &Validator{compiler: c, schemas: map[string]*jsonschema.Schema{}, Seen: map[string]int{}}
	for name := range d.Components.Schemas {
		s, err := c.Compile(docURL + "#/$defs/" + name)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		v.schemas[name] = s
	}
	param := regexp.MustCompile(`\\\{[a-z_]+\\\}`)
	for path, item := range d.Paths {
		re := regexp.MustCompile("^" + param.ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$")
		for method, op := range item {
			o := operation{method: strings.ToUpper(method), template: path, re: re, responses: map[string]string{}}
			for status, resp := range op.Responses {
				name := ""
				if len(resp.Content) > 0 {
					name = "*" // a body that is not JSON: not checked here
				}
				if c, ok := resp.Content["application/json"]; ok {
					if r, ok := c.Schema["$ref"].(string); ok {
						name = strings.TrimPrefix(r, "#/components/schemas/")
					} else {
						name = "*"
					}
				}
				o.responses[status] = name
			}
			v.ops = append(v.ops, o)
		}
	}
	return v, nil
}

// Check validates one response. path has no query string.
func (v *Validator) Check(method, path string, status int, body []byte) error {
	var op *operation
	for i := range v.ops {
		o := &v.ops[i]
		if o.method == method && o.re.MatchString(path) {
			// Literal paths win over templates (/groups vs /groups/{gid}).
			if op == nil || !strings.Contains(o.template, "{") {
				op = o
			}
		}
	}
	if op == nil {
		return fmt.Errorf("%s %s is not in the OpenAPI document", method, path)
	}
	v.mu.Lock()
	v.Seen[method+" "+op.template]++
	v.mu.Unlock()
	name, ok := op.responses[strconv.Itoa(status)]
	if !ok {
		if status < 400 {
			return fmt.Errorf("%s %s answered %d, which the document does not list", method, op.template, status)
		}
		name = op.responses["default"]
	}
	if name == "" {
		if len(bytes.TrimSpace(body)) != 0 {
			return fmt.Errorf("%s %s %d: document says no body, got %q", method, op.template, status, body)
		}
		return nil
	}
	if name == "*" {
		return nil
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: body is not JSON: %v", method, op.template, status, err)
	}
	if err := v.schemas[name].Validate(inst); err != nil {
		return fmt.Errorf("%s %s %d: body does not match schema %s: %v\nbody: %s", method, op.template, status, name, err, body)
	}
	return nil
}

// Operations lists every "METHOD path-template" of the document.
func (v *Validator) Operations() []string {
	var out []string
	for _, o := range v.ops {
		out = append(out, o.method+" "+o.template)
	}
	return out
}
