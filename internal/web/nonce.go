package web

import "context"

type styleNonceKey struct{}

// WithStyleNonce returns ctx carrying the nonce the response's CSP allows
// style elements with, for the page to pass to the Template tab's editor.
func WithStyleNonce(ctx context.Context, nonce string) context.Context {
	return context.WithValue(ctx, styleNonceKey{}, nonce)
}

// StyleNonce is the nonce WithStyleNonce set, or "".
func StyleNonce(ctx context.Context) string {
	n, _ := ctx.Value(styleNonceKey{}).(string)
	return n
}
