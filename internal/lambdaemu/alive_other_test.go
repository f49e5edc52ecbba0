//go:build !unix

package lambdaemu

// alive cannot tell off Unix; the leak checks then pass vacuously.
func alive(int) bool { return false }
