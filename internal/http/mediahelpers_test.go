package http_test

import (
	"bytes"
	"io"
	"net/http"
)

// tinyJPEG starts like a JPEG; verification at completion reads magic bytes
// only (decoding is the worker's job).
var tinyJPEG = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0x42}, 989)...)

// sendSigned sends body to a signed upload request as a phone would: plain
// net/http with the headers the server gave.
func (c *client) sendSigned(up response, body []byte) int {
	c.e.t.Helper()
	m := up.json()
	req, _ := http.NewRequest(m["method"].(string), m["url"].(string), bytes.NewReader(body))
	for k, v := range m["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// put authorizes an upload and stores its bytes; it returns the upload id.
func (c *client) put(gid, name, contentType string, body []byte) string {
	c.e.t.Helper()
	up := c.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": name, "content_type": contentType, "size": len(body)})
	if code := c.sendSigned(up, body); code/100 != 2 {
		c.e.t.Fatalf("PUT to the signed URL = %d", code)
	}
	return up.str("upload_id")
}

// upload runs the whole flow and returns the completed media.
func (c *client) upload(gid, name, contentType string, body []byte) response {
	c.e.t.Helper()
	return c.must(201, "POST", "/api/v1/uploads/"+c.put(gid, name, contentType, body)+"/complete", nil)
}
