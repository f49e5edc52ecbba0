package publish

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), SecretsFolder)
	// A folder left too open by someone is tightened on the next write.
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := secrets{dir: dir}
	ref, err := s.put("tok")
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %v, want 0700", fi.Mode().Perm())
	}
	fi, _ = os.Stat(filepath.Join(dir, ref))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", fi.Mode().Perm())
	}
	if got, err := s.get(ref); err != nil || got != "tok" {
		t.Fatalf("get = %q, %v", got, err)
	}
	// Widened after the fact (by the user, a backup restore, a sync tool):
	// reading the token sets both back.
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, ref), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := s.get(ref); err != nil || got != "tok" {
		t.Fatalf("get = %q, %v", got, err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("after get: folder mode %v, want 0700", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(dir, ref)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("after get: file mode %v, want 0600", fi.Mode().Perm())
	}
	if got, err := s.get(""); err != nil || got != "" {
		t.Fatalf("no reference: %q, %v", got, err)
	}
	if _, err := s.get("../../etc/passwd"); err == nil {
		t.Fatal("a reference must not name a path")
	}
	s.remove(ref)
	if _, err := s.get(ref); model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), "enter the token again") {
		t.Fatalf("a lost token: %v", err)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	chat, _ := model.Example("chat", "chat")
	files, err := Files(chat)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := export.YAML(chat)
	if string(files[TemplateFile].Data) != string(tmpl) || files[TemplateFile].CreateOnly {
		t.Fatal("template.yaml should be the export, always written")
	}
	if back, err := model.ParseStackFile(files[StackFile].Data); err != nil || back.Name != "chat" {
		t.Fatalf("switchboard.json: %v", err)
	}
	for _, f := range chat.Functions {
		p := f.CodePath + "/index.mjs"
		if !files[p].CreateOnly || len(files[p].Data) == 0 {
			t.Errorf("%s should be a create-only scaffold", p)
		}
		// The template's Code is the same folder-relative path.
		if !strings.Contains(string(tmpl), "Code: "+f.CodePath) {
			t.Errorf("template Code for %s is not %s", f.Name, f.CodePath)
		}
	}
	chat.Wires = nil
	if _, err := Files(chat); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("an invalid stack must be refused, got %v", err)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	got := normalize(model.GitLink{Repo: " /r ", Folder: ""}, "chat")
	// No branch named: SaveLink asks the repository for its HEAD.
	if got.Repo != "/r" || got.Branch != "" || got.Folder != "stacks/chat" {
		t.Fatalf("defaults: %+v", got)
	}
	if got := normalize(model.GitLink{Folder: "."}, "chat"); got.Folder != "" {
		t.Fatalf(`"." is the root, got %q`, got.Folder)
	}
	if got := normalize(model.GitLink{Folder: "/a/b/"}, "chat"); got.Folder != "a/b" {
		t.Fatalf("slashes trimmed, got %q", got.Folder)
	}
}

// TestLinkKeepsEveryField saves a link with every field of model.GitLink
// set and reads it back through Link, and checks the gitlink.Link the Git
// operations get: a field dropped on the way (store, LinkInfo, the
// translation to gitlink) fails here, including one added later.
func TestLinkKeepsEveryField(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, storetest.Path(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex, _ := model.Example("echo", "echo")
	stack, err := st.CreateStack(ctx, ex)
	if err != nil {
		t.Fatal(err)
	}
	// A file:// remote takes credentials (unused) without a network.
	bare := filepath.Join(dir, "remote.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", bare).CombinedOutput(); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("git init: %v %s", err, out)
		}
		t.Skipf("git init: %v %s", err, out)
	}
	want := model.GitLink{Repo: "file://" + bare, Branch: "main", Folder: "infra/echo",
		AuthorName: "Ada", AuthorEmail: "ada@example.com", Username: "ada", SSHKeyFile: filepath.Join(dir, "id_ed25519"),
		CreateBranch: true}
	v := reflect.ValueOf(want)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("model.GitLink.%s is not set here", v.Type().Field(i).Name)
		}
	}
	p := New(st, nil)
	if err := p.SaveLink(ctx, stack, LinkInput{GitLink: want, Token: "tok", TokenAction: SetToken}); err != nil {
		t.Fatal(err)
	}
	info, err := p.Link(ctx, stack.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Linked || !info.HasToken || !info.Remote || info.GitLink != want {
		t.Fatalf("Link = %+v, want %+v with a token", info, want)
	}
	l, err := p.link(ctx, stack.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := model.GitLink{Repo: l.Repo, Branch: l.Branch, Folder: l.Folder, AuthorName: l.AuthorName, AuthorEmail: l.AuthorEmail,
		Username: l.Auth.Username, SSHKeyFile: l.Auth.SSHKeyFile, CreateBranch: l.CreateBranch}
	if got != want || l.Auth.Token != "tok" || l.OwnerFile != StackFile || l.IsOwner == nil {
		t.Fatalf("gitlink.Link = %+v, want %+v with the token and the owner file", got, want)
	}
}
