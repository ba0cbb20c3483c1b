package temporalx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/server/common/authorization"

	"junheng/internal/datadir"
)

// The embedded server's credentials, in its data directory (0600 each), made on the first start and reused after.
// None of them is in a backup (cmd/junheng/backup.go takes only the databases and the evidence files): a restore
// onto a new directory makes new ones, which nothing in temporal.db refers to.
const (
	// APIKeyFile holds the key every caller of the frontend sends as "authorization: Bearer KEY".
	APIKeyFile = "temporal-api-key"
	// The internode CA, and the one certificate (with its key) that the internal frontend, history, matching and
	// worker present as servers and as clients. The CA's own key is never written: no other certificate can be
	// issued, and a lost or damaged file is answered by a new set.
	caFile       = "temporal-internode-ca.pem"
	nodeCertFile = "temporal-internode.pem"
	nodeKeyFile  = "temporal-internode-key.pem"

	// nodeName is the DNS name in the node certificate that the services check when they dial each other: the
	// internal frontend is dialled by a membership URL, which names no host.
	nodeName     = "localhost"
	certValidity = 20 * 365 * 24 * time.Hour
	apiKeyBytes  = 32
)

// credentials are what a caller must show the embedded server: the API key at the frontend, the node certificate
// (mutual TLS) at every other port.
type credentials struct {
	apiKey                 string
	caPEM, certPEM, keyPEM []byte
}

// loadCredentials reads the credentials in dir, making those missing. A damaged or expired certificate set is
// replaced; a damaged key file is an error (an operator may have put a key there on purpose).
func loadCredentials(dir string) (*credentials, error) {
	key, err := loadAPIKey(dir)
	if err != nil {
		return nil, err
	}
	c := &credentials{apiKey: key}
	if c.caPEM, c.certPEM, c.keyPEM, err = loadNodeTLS(dir); err != nil {
		return nil, err
	}
	return c, nil
}

// ReadAPIKey returns the embedded server's API key from its data directory, for a process that dials the server
// another process runs (`junheng serve`).
func ReadAPIKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, APIKeyFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(data))
	if len(key) < apiKeyBytes {
		return "", fmt.Errorf("%s: the key is shorter than %d characters (delete the file to have a new one made)",
			path, apiKeyBytes)
	}
	return key, nil
}

func loadAPIKey(dir string) (string, error) {
	path := filepath.Join(dir, APIKeyFile)
	key, err := ReadAPIKey(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		b := make([]byte, apiKeyBytes)
		_, _ = rand.Read(b) // never fails (crypto/rand)
		key = hex.EncodeToString(b)
		err = writePrivate(path, []byte(key+"\n"))
	case err == nil:
		err = datadir.Narrow(path)
	}
	if err != nil {
		return "", err
	}
	return key, nil
}

// loadNodeTLS returns the CA and node certificate in dir when they are whole and valid now, else a new set.
func loadNodeTLS(dir string) (caPEM, certPEM, keyPEM []byte, err error) {
	paths := []string{filepath.Join(dir, caFile), filepath.Join(dir, nodeCertFile), filepath.Join(dir, nodeKeyFile)}
	var files [3][]byte
	whole := true
	for i, path := range paths {
		files[i], err = os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			whole = false
		} else if err != nil {
			return nil, nil, nil, err
		}
	}
	if whole && validNodeTLS(files[0], files[1], files[2]) {
		for _, path := range paths {
			if err := datadir.Narrow(path); err != nil { // a chmod error names the file
				return nil, nil, nil, err
			}
		}
		return files[0], files[1], files[2], nil
	}
	if caPEM, certPEM, keyPEM, err = newNodeTLS(); err != nil {
		return nil, nil, nil, fmt.Errorf("internode certificates: %w", err)
	}
	// A set cut short by a crash does not verify, and is made again at the next start.
	for i, data := range [][]byte{caPEM, certPEM, keyPEM} {
		if err := writePrivate(paths[i], data); err != nil {
			return nil, nil, nil, err
		}
	}
	return caPEM, certPEM, keyPEM, nil
}

func validNodeTLS(caPEM, certPEM, keyPEM []byte) bool {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return false
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return false
	}
	leaf := pair.Leaf
	if leaf == nil { // GODEBUG=x509keypairleaf=0
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return false
		}
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: nodeName,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	return err == nil
}

// newNodeTLS makes a CA and a node certificate it signs, ECDSA P-256, for 127.0.0.1 and localhost, as server and as
// client.
func newNodeTLS() (caPEM, certPEM, keyPEM []byte, err error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "junheng embedded Temporal internode CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}
	nodeKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	nodeDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "junheng embedded Temporal node"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{nodeName},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}, ca, &nodeKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(nodeKey)
	if err != nil {
		return nil, nil, nil, err
	}
	return pemBlock("CERTIFICATE", caDER), pemBlock("CERTIFICATE", nodeDER), pemBlock("PRIVATE KEY", keyDER), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// writePrivate writes data to path, mode 0600, through a temporary file renamed into place: a crash leaves the old
// file or the new one, never a part.
func writePrivate(path string, data []byte) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*") // 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails once renamed
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// keyClaimMapper gives system admin to a caller that sends the API key, and nothing to others: the default
// authorizer then refuses them everything but the health check and GetSystemInfo. Admin, because the worker's
// start-up registers search attributes (OperatorService) and the embedded start-up sets the retention.
type keyClaimMapper struct{ key []byte }

var _ authorization.ClaimMapper = keyClaimMapper{}

func (m keyClaimMapper) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	token, ok := strings.CutPrefix(info.AuthToken, "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), m.key) != 1 {
		// No role rather than an error: the server would log every refused call at error level.
		return &authorization.Claims{}, nil
	}
	return &authorization.Claims{Subject: "api-key", System: authorization.RoleAdmin}, nil
}
