// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/types"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// maxNameLength is the longest object name Kubernetes accepts.
const maxNameLength = 253

// PoolName is the name of an app's auto-created pool:
// auto<4|6>-<app name>-<ifName>-<uid>, lowercased, where uid is the first
// (up to) five characters of the last dash-separated segment of the app's
// UID. The app name is cut so that the whole fits in 253 characters.
func PoolName(v allocator.IPVersion, appName, ifName string, uid types.UID) string {
	prefix := fmt.Sprintf("auto%d-", v)
	suffix := "-" + strings.ToLower(ifName) + "-" + ShortUID(uid)
	name := strings.ToLower(appName)
	if room := maxNameLength - len(prefix) - len(suffix); len(name) > room {
		name = strings.TrimRight(name[:max(room, 0)], "-.")
	}
	return prefix + name + suffix
}

// ShortUID is the UID part of [PoolName]: the first (up to) five
// characters of the last dash-separated segment of uid.
func ShortUID(uid types.UID) string {
	s := string(uid)
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s = s[i+1:]
	}
	return s[:min(len(s), 5)]
}

// VersionLabel is the ip-version label value of version v: IPv4 or IPv6.
func VersionLabel(v allocator.IPVersion) string {
	if v == allocator.IPv6 {
		return spiderpoolv2beta1.LabelValueIPv6
	}
	return spiderpoolv2beta1.LabelValueIPv4
}

// AffinityLabels are the matchLabels of an auto-created pool's
// spec.podAffinity: the app's group, version, kind, namespace and name.
// The agent matches them against a pod's top controller, not against the
// pod's labels.
func AffinityLabels(app App) map[string]string {
	return map[string]string{
		spiderpoolv2beta1.AppLabelAPIGroup:   app.Group,
		spiderpoolv2beta1.AppLabelAPIVersion: app.Version,
		spiderpoolv2beta1.AppLabelKind:       app.Kind,
		spiderpoolv2beta1.AppLabelNamespace:  app.Namespace,
		spiderpoolv2beta1.AppLabelName:       app.Name,
	}
}

// MatchLabels select the auto-created pools of an app for one subnet,
// interface and IP version, whatever the app's UID and reclaim setting:
// owner subnet, gv, kind, namespace, name, ip-version and interface.
func MatchLabels(subnet string, app App, ifName string, v allocator.IPVersion) map[string]string {
	return map[string]string{
		spiderpoolv2beta1.LabelOwnerSpiderSubnet:         subnet,
		spiderpoolv2beta1.LabelOwnerApplicationGV:        app.GV(),
		spiderpoolv2beta1.LabelOwnerApplicationKind:      app.Kind,
		spiderpoolv2beta1.LabelOwnerApplicationNamespace: app.Namespace,
		spiderpoolv2beta1.LabelOwnerApplicationName:      app.Name,
		spiderpoolv2beta1.LabelIPPoolVersion:             VersionLabel(v),
		spiderpoolv2beta1.LabelIPPoolInterface:           ifName,
	}
}

// PoolLabels are all the labels of an app's auto-created pool in subnet
// (whose spec.subnet is cidr): [MatchLabels] plus the app's UID, the
// reclaim setting and the pool CIDR label.
func PoolLabels(subnet, cidr string, app App, ifName string, v allocator.IPVersion, reclaim bool) map[string]string {
	l := MatchLabels(subnet, app, ifName, v)
	l[spiderpoolv2beta1.LabelOwnerApplicationUID] = string(app.UID)
	l[spiderpoolv2beta1.LabelIPPoolReclaim] = fmt.Sprint(reclaim)
	l[spiderpoolv2beta1.LabelIPPoolCIDR] = allocator.CIDRToLabelValue(cidr)
	return l
}

// FindAppPools returns the pools among pools that serve app for subnet,
// ifName and version v (their labels match [MatchLabels]), leaving out the
// pools of a previous incarnation of the app that are being reclaimed
// (reclaim true and another UID). A pool kept with reclaim false is
// returned whatever its UID: the new app adopts it. Terminating pools are
// left out too.
func FindAppPools(pools []spiderpoolv2beta1.SpiderIPPool, subnet string, app App, ifName string, v allocator.IPVersion) []*spiderpoolv2beta1.SpiderIPPool {
	want := MatchLabels(subnet, app, ifName, v)
	var out []*spiderpoolv2beta1.SpiderIPPool
	for i := range pools {
		p := &pools[i]
		if !hasLabels(p.Labels, want) || p.DeletionTimestamp != nil {
			continue
		}
		if p.Labels[spiderpoolv2beta1.LabelOwnerApplicationUID] != string(app.UID) && Reclaim(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Reclaim reports whether pool is deleted with its app: its reclaim label
// is not "false" (Spiderpool's default is true).
func Reclaim(pool *spiderpoolv2beta1.SpiderIPPool) bool {
	return pool.Labels[spiderpoolv2beta1.LabelIPPoolReclaim] != "false"
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// AppOfPool is the application of an auto-created pool, read from its
// owner-application labels (the UID may be stale: see Reclaim).
func AppOfPool(pool *spiderpoolv2beta1.SpiderIPPool) App {
	l := pool.Labels
	app := App{
		Kind:      l[spiderpoolv2beta1.LabelOwnerApplicationKind],
		Namespace: l[spiderpoolv2beta1.LabelOwnerApplicationNamespace],
		Name:      l[spiderpoolv2beta1.LabelOwnerApplicationName],
		UID:       types.UID(l[spiderpoolv2beta1.LabelOwnerApplicationUID]),
	}
	gv := l[spiderpoolv2beta1.LabelOwnerApplicationGV]
	if i := strings.LastIndexByte(gv, '_'); i >= 0 {
		app.Group, app.Version = gv[:i], gv[i+1:]
	} else {
		app.Version = gv
	}
	return app
}
