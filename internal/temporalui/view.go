//go:build temporalui

package temporalui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/temporalio/ui-server/v2/server/api"
	"github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/route"
	"github.com/temporalio/ui-server/v2/ui"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// Built says whether this binary holds the view (the build tag temporalui).
const Built = true

// maxMessage is the largest answer the view takes from Temporal, as the UI server's own connection allows: a long
// year's history is several megabytes.
const maxMessage = 64 << 20

// New builds the view from the UI server's exported route setters and handlers, on a connection of its own that
// carries junheng's credentials. The UI server's Start is not used: it listens on a port of its own, and a second
// port that adds the key would let anyone on the machine in without signing in.
func New(opts Options) (*View, error) {
	creds := insecure.NewCredentials()
	if opts.TLS != nil {
		creds = credentials.NewTLS(opts.TLS)
	}
	conn, err := grpc.NewClient(opts.Address, grpc.WithTransportCredentials(creds),
		grpc.WithChainUnaryInterceptor(withKey(opts.APIKey)),
		grpc.WithChainStreamInterceptor(withKeyStream(opts.APIKey)),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage)))
	if err != nil {
		return nil, fmt.Errorf("operators' view: Temporal at %s: %w", opts.Address, err)
	}
	cfg, err := config.NewConfigProviderWithRefresh(&config.Config{
		TemporalGRPCAddress: opts.Address,
		PublicPath:          Prefix,
		EnableUI:            true,
		DefaultNamespace:    opts.Namespace,
		// Read-only: the UI offers no action, and DisableWriteMiddleware refuses every write that is sent anyway.
		DisableWriteActions: true,
		HideLogs:            true,
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	e := echo.New()
	e.Pre(route.PublicPath(Prefix))
	e.Use(middleware.Recover())
	readOnly := route.DisableWriteMiddleware(cfg)
	apiGroup := e.Group("/api/v1")
	apiGroup.GET("/settings", api.GetSettings(cfg))
	apiGroup.GET(api.WorkflowRawHistoryUrl,
		api.WorkflowRawHistoryHandler(workflowservice.NewWorkflowServiceClient(conn)), readOnly)
	apiGroup.Match([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, "/*",
		api.TemporalAPIHandler(cfg, nil, conn), readOnly)
	assets, err := ui.Assets()
	if err == nil {
		assets, err = fs.Sub(assets, "local")
	}
	if err == nil {
		// It logs "CSP IS DISABLED WHEN USING PUBLIC PATH": the page's own policy, which contentPolicy replaces.
		err = route.SetUIRoutes(e, Prefix, assets)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("operators' view: the UI's assets: %w", err)
	}
	policy, err := contentPolicy(e)
	if err != nil {
		conn.Close()
		return nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", policy)
		e.ServeHTTP(w, r)
	})
	return &View{Handler: h, close: conn.Close}, nil
}

// withKey puts the API key on every call in place of any authorization the browser's request carried.
func withKey(key string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker,
		opts ...grpc.CallOption) error {
		return invoker(authorized(ctx, key), method, req, reply, cc, opts...)
	}
}

func withKeyStream(key string) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer,
		opts ...grpc.CallOption) (grpc.ClientStream, error) {
		return streamer(authorized(ctx, key), desc, cc, method, opts...)
	}
}

func authorized(ctx context.Context, key string) context.Context {
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Delete("authorization")
	if key != "" {
		md.Set("authorization", "Bearer "+key)
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// inlineScript finds the page's one inline script, the SvelteKit start-up that imports the rest.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// contentPolicy is the view's Content-Security-Policy: the UI server drops the page's own policy when it rewrites
// the page for a public path, so this one allows its start-up script by the hash of the rewritten text, and what
// that script loads ('strict-dynamic'). Styles may be inline: the UI sets them from script. The rest of the site
// keeps its stricter policy.
func contentPolicy(e *echo.Echo) (string, error) {
	page := &recorder{header: http.Header{}}
	e.ServeHTTP(page, httpGet(Prefix+"/"))
	scripts := inlineScript.FindAllSubmatch(page.body.Bytes(), -1)
	if page.status != http.StatusOK || len(scripts) != 1 {
		return "", fmt.Errorf("operators' view: the UI's page (status %d) has %d inline scripts, want 1",
			page.status, len(scripts))
	}
	sum := sha256.Sum256(scripts[0][1])
	return "default-src 'self'; script-src 'strict-dynamic' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
		"manifest-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; " +
		"form-action 'self'; base-uri 'none'", nil
}

func httpGet(path string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, path, nil) // a constant, valid path
	return r
}

// recorder keeps the answer to the one request contentPolicy makes at start-up.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
