package localca

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMadeOnceAndKeptPrivate: the first Load makes the CA (folder 0700,
// key 0600); later ones, also several at once, use that same CA; a key
// others may read is refused.
func TestMadeOnceAndKeptPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "switchboard", "local-ca")
	var wg sync.WaitGroup
	certs := make([][]byte, 8)
	for i := range certs {
		wg.Go(func() {
			ca, err := Load(dir)
			if err != nil {
				t.Error(err)
				return
			}
			certs[i] = ca.cert.Raw
		})
	}
	wg.Wait()
	for _, c := range certs[1:] {
		if !bytes.Equal(c, certs[0]) {
			t.Fatal("concurrent loads made different CAs")
		}
	}
	again, err := Load(dir)
	if err != nil || !bytes.Equal(again.cert.Raw, certs[0]) {
		t.Fatalf("a later load: %v, same CA %v", err, err == nil && bytes.Equal(again.cert.Raw, certs[0]))
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Join(dir, keyFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", st.Mode().Perm())
	}
	if err := os.Chmod(filepath.Join(dir, keyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "read by others") {
		t.Errorf("a key others may read: %v; want it refused", err)
	}
}

// TestServesLoopbackNames: a server with the CA's certificate is trusted,
// through the CA alone, at 127.0.0.1, [::1] and localhost, and nowhere
// else; the bundle holds the CA after the system's roots.
func TestServesLoopbackNames(t *testing.T) {
	ca, err := Load(filepath.Join(t.TempDir(), "ca"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ca.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := ca.Pool()
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "example.com"}); err == nil {
		t.Error("the certificate is valid for example.com")
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = cfg
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get("https://localhost:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	bundle, err := ca.BundlePath()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bundle)
	caPEM, _ := os.ReadFile(ca.CertPath)
	if !bytes.HasSuffix(data, caPEM) {
		t.Error("the bundle does not end with the CA")
	}
	if n := bytes.Count(data, []byte("BEGIN CERTIFICATE")); n < 2 {
		t.Logf("the bundle holds %d certificates: no system roots found on this machine", n)
	}
}
