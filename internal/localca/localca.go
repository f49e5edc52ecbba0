// Package localca is a certificate authority of this machine's user, made
// once and kept in their cache folder, that signs certificates for
// 127.0.0.1, ::1 and localhost. A local run serves HTTPS with one, so a
// handler that builds https://${domainName}/${stage} as on AWS reaches the
// local @connections API; its function processes trust the CA through the
// variables each runtime reads (NODE_EXTRA_CA_CERTS and the like). Nothing
// else trusts it: it is never added to the system's store.
package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The files of a CA folder.
const (
	certFile = "ca.pem"
	keyFile  = "ca-key.pem"
)

// caLifetime is how long the CA is valid; leafLifetime how long a run's
// certificate is (a run never lasts that long, and a fresh one is made for
// each run).
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 30 * 24 * time.Hour
)

// CA is a loaded authority.
type CA struct {
	// CertPath is the CA certificate's PEM file, for the trust variables.
	CertPath string
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
}

// DefaultDir is the user's CA folder: switchboard/local-ca in their cache
// folder.
func DefaultDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("localca: no cache folder: %w", err)
	}
	return filepath.Join(cache, "switchboard", "local-ca"), nil
}

// Load reads the CA in dir, creating it (folder 0700, key 0600) the first
// time. A key file others may read is refused rather than used: anyone who
// holds it can impersonate local servers to this user's handlers.
func Load(dir string) (*CA, error) {
	ca, err := read(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := create(dir); err != nil {
			return nil, err
		}
		ca, err = read(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("localca: %s: %w", dir, err)
	}
	return ca, nil
}

func read(dir string) (*CA, error) {
	keyPath := filepath.Join(dir, keyFile)
	st, err := os.Stat(keyPath)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s may be read by others (mode %v); make it 0600 or remove the folder to make a new CA", keyPath, st.Mode().Perm())
	}
	certPath := filepath.Join(dir, certFile)
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("the CA files are not PEM; remove the folder to make a new CA")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	if time.Now().After(cert.NotAfter.Add(-leafLifetime)) {
		return nil, fmt.Errorf("the CA expires on %s; remove the folder to make a new one", cert.NotAfter.Format(time.DateOnly))
	}
	return &CA{CertPath: certPath, cert: cert, key: key}, nil
}

// create writes a new CA into a fresh folder renamed to dir last, so a
// crash leaves no certificate without its key, and of two processes
// creating it at once one wins whole and the other uses its CA.
func create(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".*.tmp") // 0700
	if err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	defer os.RemoveAll(tmp)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	now := time.Now()
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Switchboard local run"}, CommonName: "Switchboard local CA " + host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	if err := writeFile(tmp, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return err
	}
	if err := writeFile(tmp, keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	_ = os.Remove(dir) // an empty folder made beforehand; Rename will not replace it
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, keyFile)); statErr == nil {
			return nil // another process made it first
		}
		return fmt.Errorf("localca: %w", err)
	}
	return nil
}

func writeFile(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".*.tmp") // 0600
	if err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("localca: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("localca: %w", err)
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// ServerConfig returns a TLS configuration with a new certificate for
// 127.0.0.1, ::1 and localhost signed by the CA; its key never leaves
// memory.
func (ca *CA) ServerConfig() (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("localca: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"Switchboard local run"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("localca: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}},
		// HTTP/1.1 only: WebSocket upgrades over TLS need it.
		NextProtos: []string{"http/1.1"},
	}, nil
}

// Pool is a certificate pool holding only the CA, for clients.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// systemRoots are where Linux distributions and macOS's Homebrew OpenSSL
// keep the trusted roots, as Go's crypto/x509 looks for them.
var systemRoots = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
	"/usr/local/etc/openssl/cert.pem",
}

// BundlePath writes, next to the CA, the system's trusted roots followed
// by the CA and returns its path: SSL_CERT_FILE, REQUESTS_CA_BUNDLE and
// AWS_CA_BUNDLE replace a runtime's roots rather than add to them, so a
// handler calling other HTTPS services keeps working.
func (ca *CA) BundlePath() (string, error) {
	var bundle []byte
	for _, p := range systemRoots {
		if data, err := os.ReadFile(p); err == nil {
			bundle = append(data, '\n')
			break
		}
	}
	caPEM, err := os.ReadFile(ca.CertPath)
	if err != nil {
		return "", fmt.Errorf("localca: %w", err)
	}
	bundle = append(bundle, caPEM...)
	dir := filepath.Dir(ca.CertPath)
	if err := writeFile(dir, "bundle.pem", bundle); err != nil {
		return "", err
	}
	return filepath.Join(dir, "bundle.pem"), nil
}
