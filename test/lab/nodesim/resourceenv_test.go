// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"errors"
	"runtime"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestResourceValue: a resourceFieldRef of CPU resolves as kubelet's does
// (the chart's agent takes GOMAXPROCS from its CPU limit): rounded up by
// the divisor, another container's by name, an unset limit the node's CPUs.
func TestResourceValue(t *testing.T) {
	limits := func(cpu string) corev1.ResourceRequirements {
		return corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)},
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "agent", Resources: limits("1000m")},
		{Name: "half", Resources: limits("500m")},
		{Name: "unlimited"},
	}}}
	c := &pod.Spec.Containers[0]
	for _, tc := range []struct {
		name string
		ref  corev1.ResourceFieldSelector
		want string
		err  error
	}{
		{"limit, default divisor", corev1.ResourceFieldSelector{Resource: "limits.cpu"}, "1", nil},
		{"limit, divisor 1", corev1.ResourceFieldSelector{ContainerName: "agent", Resource: "limits.cpu", Divisor: resource.MustParse("1")}, "1", nil},
		{"limit in millicores", corev1.ResourceFieldSelector{Resource: "limits.cpu", Divisor: resource.MustParse("1m")}, "1000", nil},
		{"half a CPU rounds up", corev1.ResourceFieldSelector{ContainerName: "half", Resource: "limits.cpu"}, "1", nil},
		{"request rounds up", corev1.ResourceFieldSelector{Resource: "requests.cpu"}, "1", nil},
		{"no limit: the node's CPUs", corev1.ResourceFieldSelector{ContainerName: "unlimited", Resource: "limits.cpu"}, strconv.Itoa(runtime.NumCPU()), nil},
		{"memory is not simulated", corev1.ResourceFieldSelector{Resource: "limits.memory"}, "", ErrUnsupportedField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resourceValue(pod, c, &tc.ref)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("resourceValue = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := resourceValue(pod, c, &corev1.ResourceFieldSelector{ContainerName: "nope", Resource: "limits.cpu"}); err == nil {
		t.Error("resourceValue of a missing container: want an error")
	}
}
