package local_test

import (
	"time"

	"github.com/wmory/wmory/internal/blob"
)

func blobGet() blob.GetOptions { return blob.GetOptions{ContentType: "image/webp", TTL: time.Hour} }
