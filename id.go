package wmory

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"time"
)

var crockford = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a 26-character id: 48 bits of milliseconds, 16 bits of the
// fraction of that millisecond, then 64 random bits, so ids sort by creation
// time (also within one millisecond) and serve as stable pagination keys.
func NewID(now time.Time) string {
	var b [16]byte
	frac := uint64(now.Nanosecond()%int(time.Millisecond)) * 65536 / uint64(time.Millisecond)
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16|frac)
	rand.Read(b[8:])
	return crockford.EncodeToString(b[:])[:26]
}

// NewToken returns a bearer secret of 256 bits from crypto/rand, base64url-encoded.
func NewToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewInviteCode returns 160 random bits in lowercase base32: easy to read aloud and
// safe in a URL path.
func NewInviteCode() string {
	var b [20]byte
	rand.Read(b[:])
	return crockford.EncodeToString(b[:])
}

// HashToken is what the database stores instead of a bearer secret: a dump of the
// tables cannot authenticate anyone.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
