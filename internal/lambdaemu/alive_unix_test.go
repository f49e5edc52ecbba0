//go:build unix

package lambdaemu

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// alive reports whether pid is a running process (a zombie is not).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || !strings.HasPrefix(string(b[i+1:]), " Z")
}
