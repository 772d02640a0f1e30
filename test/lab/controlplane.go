// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Ports are the loopback ports of the control plane.
type Ports struct {
	EtcdClient int `json:"etcdClient"`
	EtcdPeer   int `json:"etcdPeer"`
	APIServer  int `json:"apiServer"`
	KCM        int `json:"kcm"`
	Scheduler  int `json:"scheduler"`
}

func freePorts() (Ports, error) {
	ps, err := freeTCPPorts(5)
	if err != nil {
		return Ports{}, err
	}
	return Ports{EtcdClient: ps[0], EtcdPeer: ps[1], APIServer: ps[2], KCM: ps[3], Scheduler: ps[4]}, nil
}

// handedOut are the ports freeTCPPorts gave in this process. A port is
// free when probed but bound only when its process starts, seconds later
// for the kubelet node's agent; labs that come up in parallel (the e2e
// tests) must not get it again meanwhile, which the kernel may do once the
// probe closed it. One once handed out is never given again.
var handedOut = struct { //nolint:gochecknoglobals // one registry per process, as the ports are
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freeTCPPorts finds n distinct free ports on 127.0.0.1 that no lab of this
// process was given before.
func freeTCPPorts(n int) ([]int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100*n {
			return nil, fmt.Errorf("find %d free ports: only %d not handed out before", n, len(ports))
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		// Held open until return so the n ports differ; a failed close of a
		// probe listener changes nothing for the caller.
		defer func() { _ = l.Close() }()
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("find a free port: %v is not a TCP address", l.Addr())
		}
		if !handedOut.ports[addr.Port] {
			handedOut.ports[addr.Port] = true
			ports = append(ports, addr.Port)
		}
	}
	return ports, nil
}

func (l *Lab) startEtcd() error {
	client := "http://127.0.0.1:" + strconv.Itoa(l.Ports.EtcdClient)
	peer := "http://127.0.0.1:" + strconv.Itoa(l.Ports.EtcdPeer)
	err := l.procs.start("etcd", filepath.Join(l.opts.K8sBinDir, "etcd"),
		"--name=lab", "--data-dir="+filepath.Join(l.Dir, "etcd"),
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=lab="+peer, "--unsafe-no-fsync", "--log-level=warn")
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), client+"/health", nil, 60*time.Second)
}

func (l *Lab) startAPIServer() error {
	p := l.pki
	err := l.procs.start("kube-apiserver", filepath.Join(l.opts.K8sBinDir, "kube-apiserver"),
		"--etcd-servers=http://127.0.0.1:"+strconv.Itoa(l.Ports.EtcdClient),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(l.Ports.APIServer),
		"--tls-cert-file="+p.path("serving.crt"), "--tls-private-key-file="+p.path("serving.key"),
		"--client-ca-file="+p.CACert(),
		"--token-auth-file="+p.path("tokens.csv"), "--authorization-mode=Node,RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+p.path("sa.pub"),
		"--service-account-signing-key-file="+p.path("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true",
		"--enable-priority-and-fairness=false", "--v=0")
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), l.Server()+"/readyz", l.caPool(), 120*time.Second)
}

func (l *Lab) startKCM() error {
	err := l.procs.start("kube-controller-manager", filepath.Join(l.opts.K8sBinDir, "kube-controller-manager"),
		"--kubeconfig="+l.Kubeconfig, "--authentication-kubeconfig="+l.Kubeconfig,
		"--authorization-kubeconfig="+l.Kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(l.Ports.KCM),
		"--service-account-private-key-file="+l.pki.path("sa.key"),
		"--root-ca-file="+l.pki.CACert(), "--use-service-account-credentials=true",
		"--controllers=*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle",
		"--concurrent-deployment-syncs=10", "--concurrent-replicaset-syncs=10",
		"--concurrent-statefulset-syncs=10", "--kube-api-qps=200", "--kube-api-burst=400", "--v=0")
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), "https://127.0.0.1:"+strconv.Itoa(l.Ports.KCM)+"/healthz", nil, 60*time.Second)
}

func (l *Lab) startScheduler() error {
	err := l.procs.start("kube-scheduler", filepath.Join(l.opts.K8sBinDir, "kube-scheduler"),
		"--kubeconfig="+l.Kubeconfig, "--authentication-kubeconfig="+l.Kubeconfig,
		"--authorization-kubeconfig="+l.Kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(l.Ports.Scheduler),
		"--kube-api-qps=200", "--kube-api-burst=400", "--v=0")
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), "https://127.0.0.1:"+strconv.Itoa(l.Ports.Scheduler)+"/healthz", nil, 60*time.Second)
}

func (l *Lab) caPool() *x509.CertPool {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(l.pki.CACert()); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return pool
}

// waitHTTP polls url until it answers 200. A nil roots pool skips server
// verification (kcm and the scheduler serve self-signed certificates).
func waitHTTP(ctx context.Context, url string, roots *x509.CertPool, timeout time.Duration) error {
	tlsConf := &tls.Config{RootCAs: roots, InsecureSkipVerify: roots == nil} //nolint:gosec // loopback health probe of a self-signed component
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConf}}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close() // only the status is read
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy after %s: %w", url, timeout, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
