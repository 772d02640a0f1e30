// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"strconv"
	"time"
)

// Variables read only by spiderpool-controller
// (docs/reference/interface.md §4.3).
const (
	EnvWebhookPort                         = "SPIDERPOOL_WEBHOOK_PORT"
	EnvMetricRenewPeriod                   = "SPIDERPOOL_METRIC_RENEW_PERIOD"
	EnvSubnetInformerResyncPeriod          = "SPIDERPOOL_SUBNET_INFORMER_RESYNC_PERIOD"
	EnvSubnetInformerWorkers               = "SPIDERPOOL_SUBNET_INFORMER_WORKERS"
	EnvSubnetInformerMaxWorkqueueLength    = "SPIDERPOOL_SUBNET_INFORMER_MAX_WORKQUEUE_LENGTH"
	EnvSubnetApplicationControllerWorkers  = "SPIDERPOOL_SUBNET_APPLICATION_CONTROLLER_WORKERS"
	EnvCoordinatorEnabled                  = "SPIDERPOOL_COORDINATOR_ENABLED"
	EnvCoordinatorInformerResyncPeriod     = "SPIDERPOOL_COORDINATOR_INFORMER_RESYNC_PERIOD"
	EnvCNIConfigDir                        = "SPIDERPOOL_CNI_CONFIG_DIR"
	EnvMultusConfigEnabled                 = "SPIDERPOOL_MULTUS_CONFIG_ENABLED"
	EnvMultusConfigInformerResyncPeriod    = "SPIDERPOOL_MULTUS_CONFIG_INFORMER_RESYNC_PERIOD"
	EnvCiliumConfigMap                     = "SPIDERPOOL_CILIUM_CONFIGMAP_NAMESPACE_NAME"
	EnvControllerDeploymentName            = "SPIDERPOOL_CONTROLLER_DEPLOYMENT_NAME"
	EnvIPPoolInformerResyncPeriod          = "SPIDERPOOL_IPPOOL_INFORMER_RESYNC_PERIOD"
	EnvIPPoolInformerWorkers               = "SPIDERPOOL_IPPOOL_INFORMER_WORKERS"
	EnvAutoIPPoolHandlerMaxWorkqueueLength = "SPIDERPOOL_AUTO_IPPOOL_HANDLER_MAX_WORKQUEUE_LENGTH"
	EnvWorkqueueMaxRetries                 = "SPIDERPOOL_WORKQUEUE_MAX_RETRIES"
	EnvWorkqueueRetryDelay                 = "SPIDERPOOL_WORKQUEUE_RETRY_DELAY_DURATION"
)

// EnvClaimStorage switches the claim storage on (ours, not Spiderpool's:
// docs/ipam.md, "The storage we choose next"): the elected controller
// projects SpiderIPClaims into their pools' status.allocatedIPs and adopts
// the records without a claim. Off by default.
const EnvClaimStorage = "SPIDERPOOL_CLAIM_STORAGE"

// The two spellings of the default SpiderCoordinator name
// (docs/compatibility.md #4). The correct one wins when both are set.
const (
	// EnvCoordinatorDefaultName is the spelling Spiderpool's docs use.
	EnvCoordinatorDefaultName = "SPIDERPOOL_COORDINATOR_DEFAULT_NAME"
	// EnvCoordinatorDeafultName is the misspelling Spiderpool's code and chart
	// use.
	EnvCoordinatorDeafultName = "SPIDERPOOL_COORDINATOR_DEAFULT_NAME"
)

// Default ports of spiderpool-controller.
const (
	DefaultControllerHealthPort     = 5720
	DefaultControllerMetricHTTPPort = 5721
	DefaultControllerWebhookPort    = 5722
	DefaultControllerGopsListenPort = 5724
)

// ControllerEnv is the environment of spiderpool-controller
// (docs/reference/interface.md §4.3). Defaults are in parentheses.
type ControllerEnv struct {
	CommonEnv
	// WebhookPort is SPIDERPOOL_WEBHOOK_PORT (5722), the HTTPS webhook port.
	WebhookPort int
	// MetricRenewPeriod is SPIDERPOOL_METRIC_RENEW_PERIOD (120 s).
	MetricRenewPeriod time.Duration
	// GC is the IP garbage collection settings.
	GC GCEnv
	// LeaderElection is the Lease settings.
	LeaderElection LeaderElectionEnv
	// IPPoolMaxAllocatedIPs is SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS (5000).
	IPPoolMaxAllocatedIPs int
	// SubnetInformerResyncPeriod is SPIDERPOOL_SUBNET_INFORMER_RESYNC_PERIOD (300 s).
	SubnetInformerResyncPeriod time.Duration
	// SubnetInformerWorkers is SPIDERPOOL_SUBNET_INFORMER_WORKERS (5).
	SubnetInformerWorkers int
	// SubnetInformerMaxWorkqueueLength is
	// SPIDERPOOL_SUBNET_INFORMER_MAX_WORKQUEUE_LENGTH (10000).
	SubnetInformerMaxWorkqueueLength int
	// SubnetApplicationControllerWorkers is
	// SPIDERPOOL_SUBNET_APPLICATION_CONTROLLER_WORKERS (5).
	SubnetApplicationControllerWorkers int
	// EnableCoordinator is SPIDERPOOL_COORDINATOR_ENABLED (false; the chart
	// sets true).
	EnableCoordinator bool
	// DefaultCoordinatorName is SPIDERPOOL_COORDINATOR_DEFAULT_NAME, or else
	// SPIDERPOOL_COORDINATOR_DEAFULT_NAME ("default").
	DefaultCoordinatorName string
	// CoordinatorInformerResyncPeriod is
	// SPIDERPOOL_COORDINATOR_INFORMER_RESYNC_PERIOD (60 s).
	CoordinatorInformerResyncPeriod time.Duration
	// CNIConfigDir is SPIDERPOOL_CNI_CONFIG_DIR (/etc/cni/net.d).
	CNIConfigDir string
	// EnableMultusConfig is SPIDERPOOL_MULTUS_CONFIG_ENABLED (false; the chart
	// sets true).
	EnableMultusConfig bool
	// MultusConfigInformerResyncPeriod is
	// SPIDERPOOL_MULTUS_CONFIG_INFORMER_RESYNC_PERIOD (60 s).
	MultusConfigInformerResyncPeriod time.Duration
	// CiliumConfigMap is SPIDERPOOL_CILIUM_CONFIGMAP_NAMESPACE_NAME
	// (kube-system/cilium-config), as "<namespace>/<name>".
	CiliumConfigMap string
	// ControllerDeploymentName is SPIDERPOOL_CONTROLLER_DEPLOYMENT_NAME
	// (spiderpool-controller).
	ControllerDeploymentName string
	// IPPoolInformerResyncPeriod is SPIDERPOOL_IPPOOL_INFORMER_RESYNC_PERIOD (300 s).
	IPPoolInformerResyncPeriod time.Duration
	// IPPoolInformerWorkers is SPIDERPOOL_IPPOOL_INFORMER_WORKERS (3).
	IPPoolInformerWorkers int
	// AutoIPPoolHandlerMaxWorkqueueLength is
	// SPIDERPOOL_AUTO_IPPOOL_HANDLER_MAX_WORKQUEUE_LENGTH (10000).
	AutoIPPoolHandlerMaxWorkqueueLength int
	// WorkqueueMaxRetries is SPIDERPOOL_WORKQUEUE_MAX_RETRIES (500).
	WorkqueueMaxRetries int
	// WorkqueueRetryDelay is SPIDERPOOL_WORKQUEUE_RETRY_DELAY_DURATION (5 s).
	WorkqueueRetryDelay time.Duration
	// ClaimStorage is SPIDERPOOL_CLAIM_STORAGE (false): run the claim
	// projector (docs/ipam.md).
	ClaimStorage bool
}

// ParseControllerEnv reads the spiderpool-controller environment through
// lookup (os.LookupEnv if nil). The error joins an [*EnvError] per problem.
func ParseControllerEnv(lookup LookupFunc) (ControllerEnv, error) {
	r := newEnvReader(lookup)
	env := ControllerEnv{
		CommonEnv:         r.common(ports{DefaultControllerHealthPort, DefaultControllerMetricHTTPPort, DefaultControllerGopsListenPort}),
		WebhookPort:       r.port(envVar{name: EnvWebhookPort, def: strconv.Itoa(DefaultControllerWebhookPort), required: true}),
		MetricRenewPeriod: r.seconds(envVar{name: EnvMetricRenewPeriod, def: "120", required: true}),
		GC:                r.gc(),
		LeaderElection:    r.leaderElection(),
		ClaimStorage:      r.boolean(envVar{name: EnvClaimStorage, def: "false"}),
	}
	r.informers(&env)
	if err := r.err(); err != nil {
		return ControllerEnv{}, err
	}
	return env, nil
}

// informers reads the informer, workqueue and feature settings into env.
func (r *envReader) informers(env *ControllerEnv) {
	env.IPPoolMaxAllocatedIPs = r.count(envVar{name: EnvIPPoolMaxAllocated, def: "5000"})
	env.SubnetInformerResyncPeriod = r.seconds(envVar{name: EnvSubnetInformerResyncPeriod, def: "300"})
	env.SubnetInformerWorkers = r.count(envVar{name: EnvSubnetInformerWorkers, def: "5", required: true})
	env.SubnetInformerMaxWorkqueueLength = r.count(envVar{name: EnvSubnetInformerMaxWorkqueueLength, def: "10000"})
	env.SubnetApplicationControllerWorkers = r.count(envVar{name: EnvSubnetApplicationControllerWorkers, def: "5", required: true})
	env.EnableCoordinator = r.boolean(envVar{name: EnvCoordinatorEnabled, def: "false"})
	env.DefaultCoordinatorName = r.str(r.coordinatorNameVar())
	env.CoordinatorInformerResyncPeriod = r.seconds(envVar{name: EnvCoordinatorInformerResyncPeriod, def: "60"})
	env.CNIConfigDir = r.str(envVar{name: EnvCNIConfigDir, def: "/etc/cni/net.d"})
	env.EnableMultusConfig = r.boolean(envVar{name: EnvMultusConfigEnabled, def: "false"})
	env.MultusConfigInformerResyncPeriod = r.seconds(envVar{name: EnvMultusConfigInformerResyncPeriod, def: "60"})
	env.CiliumConfigMap = r.str(envVar{name: EnvCiliumConfigMap, def: "kube-system/cilium-config"})
	env.ControllerDeploymentName = r.str(envVar{name: EnvControllerDeploymentName, def: "spiderpool-controller"})
	env.IPPoolInformerResyncPeriod = r.seconds(envVar{name: EnvIPPoolInformerResyncPeriod, def: "300"})
	env.IPPoolInformerWorkers = r.count(envVar{name: EnvIPPoolInformerWorkers, def: "3", required: true})
	env.AutoIPPoolHandlerMaxWorkqueueLength = r.count(envVar{name: EnvAutoIPPoolHandlerMaxWorkqueueLength, def: "10000", required: true})
	env.WorkqueueMaxRetries = r.count(envVar{name: EnvWorkqueueMaxRetries, def: "500", required: true})
	env.WorkqueueRetryDelay = r.seconds(envVar{name: EnvWorkqueueRetryDelay, def: "5", required: true})
}

// coordinatorNameVar picks the spelling to read: the correct one if it is
// set, else Spiderpool's misspelled one.
func (r *envReader) coordinatorNameVar() envVar {
	if _, set := r.lookup(EnvCoordinatorDefaultName); set {
		return envVar{name: EnvCoordinatorDefaultName, def: "default"}
	}
	return envVar{name: EnvCoordinatorDeafultName, def: "default"}
}
