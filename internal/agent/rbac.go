// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

// RBAC of spiderpool-agent (controller-gen rbac markers; `make manifests`
// writes config/rbac/agent/role.yaml, which the chart's ClusterRole reads).
// Least privilege: the agent reads pods (its cache is restricted to its
// own node's pods, but RBAC cannot express a field selector), its Node,
// namespaces and the IPAM objects; it writes only pool status (the
// allocation records) and SpiderEndpoints. It cannot read Secrets, delete
// pods, or delete pools.
//
// Pods of third-party controllers (CRD owners) get their SpiderSubnet
// auto-created pool from the agent on ADD, as in Spiderpool: so the agent
// creates and updates pools and writes the subnet's status (its
// controlledIPPools record of the pool, written first).
//
// Reads of a pod's owners (ReplicaSet → Deployment, Job → CronJob,
// StatefulSet keep-IP checks, KubeVirt VMs) are metadata gets. Subnets,
// multus configs, coordinators and NetworkAttachmentDefinitions are read
// for the pool selection and the coordinator configuration. Events are
// written about pods.
//
// +kubebuilder:rbac:groups="",resources=pods;nodes;namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools;spidersubnets;spiderreservedips;spidermultusconfigs;spidercoordinators,verbs=get;list;watch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=ipam.spiderpool-go.io,resources=spideripclaims,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools,verbs=create;update
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidersubnets/status,verbs=get;update
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderendpoints,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=replicasets;deployments;statefulsets;daemonsets,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs;cronjobs,verbs=get;list;watch
// +kubebuilder:rbac:groups=kubevirt.io,resources=virtualmachineinstances;virtualmachines;virtualmachineinstancemigrations,verbs=get;list;watch
// +kubebuilder:rbac:groups=k8s.cni.cncf.io,resources=network-attachment-definitions,verbs=get;list;watch
