// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"k8s.io/apimachinery/pkg/util/validation"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
)

// Labels returns the labels of a claim of pool held by pod UID uid: the
// pool label always, the holder label when uid is a valid label value.
func Labels(pool, uid string) map[string]string {
	l := map[string]string{ipamclaimsv1alpha1.LabelPool: PoolLabelValue(pool)}
	SetHolder(l, uid)
	return l
}

// SetHolder sets (or, for a UID that is no valid label value, removes) the
// holder label in l.
func SetHolder(l map[string]string, uid string) {
	if len(validation.IsValidLabelValue(uid)) == 0 && uid != "" {
		l[ipamclaimsv1alpha1.LabelPodUID] = uid
	} else {
		delete(l, ipamclaimsv1alpha1.LabelPodUID)
	}
}
