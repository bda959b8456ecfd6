package database_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// pgBin finds a PostgreSQL server program (initdb, pg_ctl, pg_basebackup).
func pgBin(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) == 0 {
		t.Fatalf("%s not found: install the PostgreSQL server (apt-get install -y postgresql)", name)
	}
	return matches[len(matches)-1]
}

// cluster is a PostgreSQL server this test runs in a temporary directory.
type cluster struct {
	dir  string
	port int
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run runs a server program, as the postgres user when the test runs as
// root (the server refuses to run as root).
func run(t *testing.T, prog string, args ...string) {
	t.Helper()
	cmd := exec.Command(prog, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", prog}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(prog), args, err, out)
	}
}

// tempDir is a directory the server's user may write.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ipm-replica-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("the postgres user is missing: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startPrimary initialises and starts a primary that accepts streaming
// replication from 127.0.0.1.
func startPrimary(t *testing.T, root string) *cluster {
	t.Helper()
	c := &cluster{dir: filepath.Join(root, "primary"), port: freePort(t)}
	run(t, pgBin(t, "initdb"), "-D", c.dir, "-U", "postgres", "-A", "trust", "--no-sync")
	conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nwal_level = replica\nmax_wal_senders = 4\nfsync = off\n", c.port, root)
	appendFile(t, filepath.Join(c.dir, "postgresql.conf"), conf)
	appendFile(t, filepath.Join(c.dir, "pg_hba.conf"), "\nhost replication all 127.0.0.1/32 trust\n")
	c.start(t, root)
	return c
}

// startReplica clones p with pg_basebackup and starts it as a streaming
// standby.
func startReplica(t *testing.T, root string, p *cluster) *cluster {
	t.Helper()
	c := &cluster{dir: filepath.Join(root, "replica"), port: freePort(t)}
	run(t, pgBin(t, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "-D", c.dir, "-R", "-X", "stream", "--no-sync")
	appendFile(t, filepath.Join(c.dir, "postgresql.auto.conf"), fmt.Sprintf("\nport = %d\n", c.port))
	c.start(t, root)
	return c
}

func (c *cluster) start(t *testing.T, root string) {
	t.Helper()
	run(t, pgBin(t, "pg_ctl"), "-D", c.dir, "-l", filepath.Join(root, filepath.Base(c.dir)+".log"), "-w", "start")
	t.Cleanup(func() { c.stopQuietly(t) })
}

func (c *cluster) stop(t *testing.T) {
	t.Helper()
	run(t, pgBin(t, "pg_ctl"), "-D", c.dir, "-m", "immediate", "-w", "stop")
}

func (c *cluster) stopQuietly(t *testing.T) {
	cmd := exec.Command(pgBin(t, "pg_ctl"), "-D", c.dir, "-m", "immediate", "-w", "stop")
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", "-u", "postgres", "--", pgBin(t, "pg_ctl"), "-D", c.dir, "-m", "immediate", "-w", "stop")
	}
	_ = cmd.Run()
}

func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// inRecovery says where a read went: true on a standby, false on the
// primary.
func inRecovery(t *testing.T, r *database.Reads, ctx context.Context) bool {
	t.Helper()
	var standby bool
	if err := r.Read(ctx).Raw(`SELECT pg_is_in_recovery()`).Scan(&standby).Error; err != nil {
		t.Fatal(err)
	}
	return standby
}

func waitState(t *testing.T, r *database.Reads, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r.Check(context.Background())
		if s := r.States()[0].State; s == want {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("replica state %q, want %q", s, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReads_StreamingReplica runs a real primary and a streaming replica
// of it and checks that lag-tolerant reads go to the replica, a user's
// reads after their own write go to the primary, and a replica that falls
// behind or goes away has its reads moved to the primary and back.
func TestReads_StreamingReplica(t *testing.T) {
	root := tempDir(t)
	primary := startPrimary(t, root)
	ctx := context.Background()
	if _, err := database.EnsureDatabase(ctx, primary.url("ipm")); err != nil {
		t.Fatal(err)
	}
	replica := startReplica(t, root, primary)

	cfg := config.Default().Database
	cfg.URL = primary.url("ipm")
	cfg.ReplicaURLs = []string{replica.url("ipm")}
	cfg.ReplicaMaxLag = 200 * time.Millisecond
	log := testenv.Logger(t)
	db, err := database.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := db.Exec(`CREATE TABLE notes (id int PRIMARY KEY)`).Error; err != nil {
		t.Fatal(err)
	}
	reads, err := database.OpenReads(ctx, db, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reads.Close)
	waitState(t, reads, "ok")

	if !inRecovery(t, reads, ctx) {
		t.Fatal("a lag-tolerant read went to the primary while the replica is healthy")
	}
	if inRecovery(t, reads, database.WithPrimary(ctx)) {
		t.Fatal("a read after the user's own write went to the replica")
	}
	// A transaction begun on the reader (statistics) runs on the replica.
	var txStandby bool
	if err := reads.Read(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Raw(`SELECT pg_is_in_recovery()`).Scan(&txStandby).Error
	}); err != nil || !txStandby {
		t.Fatalf("statistics transaction: on standby %v, err %v", txStandby, err)
	}

	// Falling behind: replay paused while the primary writes.
	standby := replicaDB(t, replica.url("ipm"))
	if err := standby.Exec(`SELECT pg_wal_replay_pause()`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO notes VALUES (1)`).Error; err != nil {
		t.Fatal(err)
	}
	time.Sleep(cfg.ReplicaMaxLag + 300*time.Millisecond)
	waitState(t, reads, "lagging")
	var n int64
	if err := reads.Read(ctx).Raw(`SELECT count(*) FROM notes`).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("a lagging replica's read: %d rows, %v; want the primary's 1", n, err)
	}
	if inRecovery(t, reads, ctx) {
		t.Fatal("reads still go to a lagging replica")
	}
	if err := standby.Exec(`SELECT pg_wal_replay_resume()`).Error; err != nil {
		t.Fatal(err)
	}
	waitState(t, reads, "ok")
	if !inRecovery(t, reads, ctx) {
		t.Fatal("reads did not return to the replica once it caught up")
	}

	// Going away.
	if s, err := standby.DB(); err == nil {
		_ = s.Close()
	}
	replica.stop(t)
	waitState(t, reads, "down")
	if err := reads.Read(ctx).Raw(`SELECT count(*) FROM notes`).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("with the replica gone: %d rows, %v; want the primary's 1", n, err)
	}
	if st := reads.States()[0]; st.Name != fmt.Sprintf("127.0.0.1:%d", replica.port) {
		t.Fatalf("replica named %q", st.Name)
	}
}

// TestReads_UnreachableAtStart: a replica that does not answer at start
// does not stop the application; it is reported down and reads go to the
// primary. An URL that cannot be parsed is an error naming its position.
func TestReads_UnreachableAtStart(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	cfg := testenv.Config(t).Database
	cfg.ReplicaURLs = []string{"postgres://postgres@" + testenv.UnusedAddr(t) + "/ipm?sslmode=disable&connect_timeout=1"}
	reads, err := database.OpenReads(ctx, db, cfg, testenv.Logger(t))
	if err != nil {
		t.Fatalf("an unreachable replica stopped the start: %v", err)
	}
	t.Cleanup(reads.Close)
	if st := reads.States(); len(st) != 1 || st[0].State != "down" {
		t.Fatalf("states %+v, want one down", st)
	}
	var standby bool
	if err := reads.Read(ctx).Raw(`SELECT pg_is_in_recovery()`).Scan(&standby).Error; err != nil || standby {
		t.Fatalf("read with the replica down: standby %v, err %v", standby, err)
	}
	cfg.ReplicaURLs = []string{"postgres://postgres@127.0.0.1:5432/ipm", "postgres://%zz"}
	if _, err := database.OpenReads(ctx, db, cfg, nil); err == nil || !strings.Contains(err.Error(), "database.replica_urls[1]") {
		t.Fatalf("bad URL: %v, want an error naming database.replica_urls[1]", err)
	}
}

// replicaDB connects to the standby itself, to pause and resume its
// replay.
func replicaDB(t *testing.T, url string) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}
