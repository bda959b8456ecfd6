package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/spf13/cobra"
)

func newKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen",
		Short: "Print fresh keys for encrypting personal information at rest",
		Long: `Print a fresh AES-256 key and HMAC key as IPM_* settings. Keep them in a
secret store: losing the encryption key makes stored identity numbers and
phone numbers unreadable. To rotate, add a new key id to
IPM_SECURITY_PII_KEYS and make it active; old values still decrypt.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			k := make([]byte, 32)
			h := make([]byte, 32)
			if _, err := rand.Read(k); err != nil {
				return err
			}
			if _, err := rand.Read(h); err != nil {
				return err
			}
			fmt.Printf("IPM_SECURITY_PII_KEYS=k1:%s\n", base64.StdEncoding.EncodeToString(k))
			fmt.Println("IPM_SECURITY_PII_ACTIVE_KEY=k1")
			fmt.Printf("IPM_SECURITY_PII_HMAC_KEY=%s\n", base64.StdEncoding.EncodeToString(h))
			return nil
		},
	}
}
