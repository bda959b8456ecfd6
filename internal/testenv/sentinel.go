package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelMaster is the name the sentinels of StartSentinels monitor
// their master under.
const SentinelMaster = "mymaster"

// Sentinels is a Redis master, one replica of it and three sentinels
// (quorum 2) monitoring it: real redis-server processes on free local
// ports, with their files in a temporary directory and no persistence.
// They are killed when the test ends.
type Sentinels struct {
	t     testing.TB
	dir   string
	Addrs []string // the sentinels, host:port
	nodes map[string]*exec.Cmd
}

// StartSentinels starts the master, the replica and the sentinels, and
// waits until the replica has synchronised and every sentinel knows the
// replica and the two other sentinels, so that a failover can happen.
// A missing redis-server fails the test.
func StartSentinels(t testing.TB) *Sentinels {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed (%v); the Sentinel tests run real servers", err)
	}
	s := &Sentinels{t: t, dir: t.TempDir(), nodes: map[string]*exec.Cmd{}}
	t.Cleanup(s.killAll)
	master := UnusedAddr(t)
	replica := UnusedAddr(t)
	s.start(bin, "master", master, nil)
	s.start(bin, "replica", replica, []string{"--replicaof", "127.0.0.1", port(master)})
	for i := 0; i < 3; i++ {
		addr := UnusedAddr(t)
		conf := filepath.Join(s.dir, fmt.Sprintf("sentinel%d.conf", i))
		text := strings.Join([]string{
			"port " + port(addr),
			"bind 127.0.0.1",
			"dir " + s.dir,
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %s 2", SentinelMaster, port(master)),
			fmt.Sprintf("sentinel down-after-milliseconds %s 500", SentinelMaster),
			fmt.Sprintf("sentinel failover-timeout %s 2000", SentinelMaster),
			fmt.Sprintf("sentinel parallel-syncs %s 1", SentinelMaster),
			"",
		}, "\n")
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		s.startSentinel(bin, fmt.Sprintf("sentinel%d", i), addr, conf)
		s.Addrs = append(s.Addrs, addr)
	}
	s.waitUntil(60*time.Second, "the replica synchronised and the sentinels know each other", func() bool {
		if !strings.Contains(s.info(replica, "replication"), "master_link_status:up") {
			return false
		}
		for _, a := range s.Addrs {
			c := redis.NewSentinelClient(&redis.Options{Addr: a})
			reps, err1 := c.Replicas(context.Background(), SentinelMaster).Result()
			sents, err2 := c.Sentinels(context.Background(), SentinelMaster).Result()
			_ = c.Close()
			if err1 != nil || err2 != nil || len(reps) != 1 || len(sents) != 2 {
				return false
			}
		}
		return true
	})
	return s
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func (s *Sentinels) start(bin, name, addr string, extra []string) {
	s.t.Helper()
	args := append([]string{"--port", port(addr), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--dbfilename", name + ".rdb"}, extra...)
	s.run(name, addr, exec.Command(bin, args...))
}

func (s *Sentinels) startSentinel(bin, name, addr, conf string) {
	s.t.Helper()
	s.run(name, addr, exec.Command(bin, conf, "--sentinel", "--save", "", "--appendonly", "no"))
}

func (s *Sentinels) run(name, addr string, cmd *exec.Cmd) {
	s.t.Helper()
	logf, err := os.Create(filepath.Join(s.dir, name+".log"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", name, err)
	}
	s.nodes[addr] = cmd
	s.waitUntil(20*time.Second, name+" answers", func() bool {
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		return c.Ping(context.Background()).Err() == nil
	})
}

// info returns a section of INFO of the server at addr ("" when it does
// not answer).
func (s *Sentinels) info(addr, section string) string {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second})
	defer c.Close()
	out, _ := c.Info(context.Background(), section).Result()
	return out
}

func (s *Sentinels) waitUntil(timeout time.Duration, what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("sentinels: %s: not reached within %v (logs in %s)", what, timeout, s.dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Master returns the master's host:port as the first sentinel that
// answers says.
func (s *Sentinels) Master() string {
	for _, a := range s.Addrs {
		c := redis.NewSentinelClient(&redis.Options{Addr: a, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second})
		hp, err := c.GetMasterAddrByName(context.Background(), SentinelMaster).Result()
		_ = c.Close()
		if err == nil && len(hp) == 2 {
			return net.JoinHostPort(hp[0], hp[1])
		}
	}
	return ""
}

// Failover asks a sentinel to promote the replica now (SENTINEL
// FAILOVER), and returns the old master's address.
func (s *Sentinels) Failover() string {
	s.t.Helper()
	old := s.Master()
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Addrs[0]})
	defer c.Close()
	if err := c.Failover(context.Background(), SentinelMaster).Err(); err != nil {
		s.t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	return old
}

// WaitNewMaster waits until the sentinels name a master other than old,
// and that master answers as a master.
func (s *Sentinels) WaitNewMaster(old string, timeout time.Duration) string {
	s.t.Helper()
	var now string
	s.waitUntil(timeout, "a new master after "+old, func() bool {
		now = s.Master()
		return now != "" && now != old && strings.Contains(s.info(now, "replication"), "role:master")
	})
	return now
}

// Pause stops the data nodes (master and replica) with SIGSTOP: they
// keep their data but answer nothing, so the sentinels know no usable
// master. Resume continues them.
func (s *Sentinels) Pause() { s.signalData(syscall.SIGSTOP) }

// Resume continues the data nodes stopped by Pause.
func (s *Sentinels) Resume() { s.signalData(syscall.SIGCONT) }

func (s *Sentinels) signalData(sig syscall.Signal) {
	s.t.Helper()
	for addr, cmd := range s.nodes {
		if s.isSentinel(addr) {
			continue
		}
		if err := cmd.Process.Signal(sig); err != nil {
			s.t.Fatalf("signal %v to %s: %v", sig, addr, err)
		}
	}
}

func (s *Sentinels) isSentinel(addr string) bool {
	for _, a := range s.Addrs {
		if a == addr {
			return true
		}
	}
	return false
}

// Kill ends the server at addr at once (SIGKILL).
func (s *Sentinels) Kill(addr string) {
	s.t.Helper()
	cmd, ok := s.nodes[addr]
	if !ok {
		s.t.Fatalf("no server at %s", addr)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	delete(s.nodes, addr)
}

func (s *Sentinels) killAll() {
	for addr, cmd := range s.nodes {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		delete(s.nodes, addr)
	}
}

// String names the sentinels, for messages.
func (s *Sentinels) String() string {
	return SentinelMaster + " via " + strings.Join(s.Addrs, ",") + " (" + strconv.Itoa(len(s.nodes)) + " processes)"
}
