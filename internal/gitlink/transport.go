package gitlink

import (
	"os/exec"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/plumbing/transport/file"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
)

// go-git serves file:// by running git-upload-pack and git-receive-pack,
// so without the git command file:// URLs failed although gitlink needs no
// git otherwise. fileTransport runs those commands when git is installed
// (their ref updates are compare-and-swap, safe against a git push running
// at the same time) and otherwise serves the repository in process with
// go-git's own server.
func init() {
	client.InstallProtocol("file", fileTransport{})
}

type fileTransport struct{}

// inProcess is go-git's server acting as a client's transport: an empty
// repository is reported as transport.ErrEmptyRemoteRepository, as git does.
var inProcess = server.NewClient(server.DefaultLoader)

func (fileTransport) pick() transport.Transport {
	if _, err := exec.LookPath(transport.UploadPackServiceName); err == nil {
		return file.DefaultClient
	}
	if _, err := exec.LookPath("git"); err == nil {
		return file.DefaultClient // finds the commands through git --exec-path
	}
	return inProcess
}

func (t fileTransport) NewUploadPackSession(ep *transport.Endpoint, auth transport.AuthMethod) (transport.UploadPackSession, error) {
	return t.pick().NewUploadPackSession(ep, auth)
}

func (t fileTransport) NewReceivePackSession(ep *transport.Endpoint, auth transport.AuthMethod) (transport.ReceivePackSession, error) {
	return t.pick().NewReceivePackSession(ep, auth)
}
