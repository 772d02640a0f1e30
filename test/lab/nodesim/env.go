// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrUnsupportedField is returned for a fieldRef the simulator cannot resolve.
var ErrUnsupportedField = errors.New("unsupported fieldRef")

// fieldValue resolves a downward-API fieldRef of pod as kubelet does, for
// the fields the project's charts use.
func fieldValue(pod *corev1.Pod, path string) (string, error) {
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return serviceAccountOf(pod), nil
	case "status.podIP", "status.hostIP":
		return pod.Status.HostIP, nil
	}
	return "", fmt.Errorf("%w: %s", ErrUnsupportedField, path)
}

// serviceAccountOf is the pod's ServiceAccount name ("default" when unset).
func serviceAccountOf(pod *corev1.Pod) string {
	if pod.Spec.ServiceAccountName == "" {
		return "default"
	}
	return pod.Spec.ServiceAccountName
}

// containerEnv is the environment of c in pod as KEY=VALUE: literal values
// with their paths translated and *_PORT values replaced from ports, then
// fieldRef, ConfigMap and Secret key references.
func (s volumeSource) containerEnv(ctx context.Context, pod *corev1.Pod, c *corev1.Container, paths pathMap, ports portMap) ([]string, error) {
	env := make([]string, 0, len(c.Env))
	for _, e := range c.Env {
		val, err := s.envValue(ctx, pod, c, e)
		if err != nil {
			return nil, fmt.Errorf("container %s env %s: %w", c.Name, e.Name, err)
		}
		if p, ok := ports[e.Name]; ok && e.ValueFrom == nil {
			val = strconv.Itoa(p)
		}
		env = append(env, e.Name+"="+paths.translate(val))
	}
	return env, nil
}

func (s volumeSource) envValue(ctx context.Context, pod *corev1.Pod, c *corev1.Container, e corev1.EnvVar) (string, error) {
	from := e.ValueFrom
	switch {
	case from == nil:
		return e.Value, nil
	case from.FieldRef != nil:
		return fieldValue(pod, from.FieldRef.FieldPath)
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		cm := &corev1.ConfigMap{}
		err := s.reader.Get(ctx, client.ObjectKey{Namespace: pod.Namespace, Name: ref.Name}, cm)
		return keyValue(err, cm.Data[ref.Key], ref.Optional)
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		sec := &corev1.Secret{}
		err := s.reader.Get(ctx, client.ObjectKey{Namespace: pod.Namespace, Name: ref.Name}, sec)
		return keyValue(err, string(sec.Data[ref.Key]), ref.Optional)
	case from.ResourceFieldRef != nil:
		return resourceValue(pod, c, from.ResourceFieldRef)
	}
	return "", nil
}

// resourceValue resolves a downward-API resourceFieldRef as kubelet does
// for the CPU fields the charts use: the CPUs of the container's limit or
// request, divided by the divisor (default 1) and rounded up; an unset
// limit is the node's allocatable CPUs, here this machine's.
func resourceValue(pod *corev1.Pod, c *corev1.Container, ref *corev1.ResourceFieldSelector) (string, error) {
	if ref.ContainerName != "" && ref.ContainerName != c.Name {
		i := slices.IndexFunc(pod.Spec.Containers, func(o corev1.Container) bool { return o.Name == ref.ContainerName })
		if i < 0 {
			return "", fmt.Errorf("resourceFieldRef: no container %q", ref.ContainerName)
		}
		c = &pod.Spec.Containers[i]
	}
	var q resource.Quantity
	switch ref.Resource {
	case "limits.cpu":
		q = c.Resources.Limits.Cpu().DeepCopy()
		if q.IsZero() {
			q = *resource.NewQuantity(int64(runtime.NumCPU()), resource.DecimalSI)
		}
	case "requests.cpu":
		q = c.Resources.Requests.Cpu().DeepCopy()
	default:
		return "", fmt.Errorf("%w: resourceFieldRef %s", ErrUnsupportedField, ref.Resource)
	}
	div := int64(1000)
	if !ref.Divisor.IsZero() {
		div = ref.Divisor.MilliValue()
	}
	return strconv.FormatInt((q.MilliValue()+div-1)/div, 10), nil
}

func keyValue(getErr error, val string, optional *bool) (string, error) {
	if getErr != nil {
		if apierrors.IsNotFound(getErr) && optional != nil && *optional {
			return "", nil
		}
		return "", fmt.Errorf("read key reference: %w", getErr)
	}
	return val, nil
}
