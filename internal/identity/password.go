package identity

import (
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
)

// argonParams follow OWASP's argon2id recommendation (19 MiB, 2 passes,
// 1 lane): strong enough, and cheap enough that a 2-core server can take a
// burst of logins.
var argonParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

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
