// Package webapp is the web build of the wmory app (client/, an Expo project),
// embedded in the binary so that `wmory serve` serves the whole product.
// `make app` builds it into dist/; a binary built without it serves the plain
// server-rendered pages for the e-mailed links instead.
package webapp

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built app, or nil when this binary was built without it.
func FS() fs.FS {
	app, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(app, "index.html"); err != nil {
		return nil
	}
	return app
}
