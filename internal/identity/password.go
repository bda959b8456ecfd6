package identity

import (
	"fmt"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"
)

// argonParams follow OWASP's argon2id recommendation (19 MiB, 2 passes,
// 1 lane): strong enough, and cheap enough that a 2-core server can take a
// burst of logins.
var argonParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// seedParams are the parameters of the hashes seeding stores
// (seedPasswordHash): argonParams, except in a test binary
// (testing.Testing), which seeds with the cheapest ones. The test suite
// signs the demo's accounts in thousands of times, and each sign-in
// against a hash made with argonParams costs 19 MiB and two passes (about
// a quarter of the CPU of a web test, measured). A hash records its
// parameters, so the check at sign-in follows them. Every other hash, in
// tests too, uses argonParams; no build of the server can seed a weaker
// hash, since only "go test" links a test binary.
var seedParams = func() *argon2id.Params {
	if testing.Testing() {
		return &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	}
	return argonParams
}()

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, argonParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// checkPassword compares in constant time for a given hash.
func checkPassword(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// burnPasswordCheck spends the same time as a real comparison, so the
// response time does not reveal whether a username exists.
func burnPasswordCheck(password string) {
	dummyOnce.Do(func() { dummyHash, _ = HashPassword("not-a-real-password-0000") })
	_ = checkPassword(password, dummyHash)
}
