// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// maxRaces bounds how often Ensure re-reads the Secret after losing a
// create or update race to another replica.
const maxRaces = 5

// ErrRaces is returned when Ensure keeps losing races for the Secret.
var ErrRaces = errors.New("lost too many races for the certificate Secret")

// secretStore reads the Secret uncached and writes it with its
// resourceVersion as the precondition.
type secretStore struct {
	reader client.Reader
	writer client.Writer
	key    types.NamespacedName
	config Config
	clock  clock.PassiveClock
}

// ensure returns the bundle of the Secret after creating or renewing it
// where needed. A replica that loses the race re-reads and takes the
// winner's bundle.
func (s *secretStore) ensure(ctx context.Context) (Bundle, error) {
	for range maxRaces {
		b, err := s.ensureOnce(ctx)
		if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
			continue
		}
		return b, err
	}
	return Bundle{}, fmt.Errorf("%w %s", ErrRaces, s.key)
}

// ensureOnce is one read, check and (maybe) write of the Secret.
func (s *secretStore) ensureOnce(ctx context.Context) (Bundle, error) {
	secret := &corev1.Secret{}
	err := s.reader.Get(ctx, s.key, secret)
	if err != nil && !apierrors.IsNotFound(err) {
		return Bundle{}, fmt.Errorf("get Secret %s: %w", s.key, err)
	}
	exists := err == nil
	next, changed, err := newPolicy(s.config, s.clock.Now()).renew(bundleFromData(secret.Data))
	if err != nil || !changed {
		return next, err
	}
	if !exists {
		return next, s.create(ctx, next)
	}
	secret.Data = next.setData(secret.Data)
	if err := s.writer.Update(ctx, secret); err != nil {
		return Bundle{}, fmt.Errorf("update Secret %s: %w", s.key, err)
	}
	return next, nil
}

// create creates the Secret holding b.
func (s *secretStore) create(ctx context.Context, b Bundle) error {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.key.Namespace, Name: s.key.Name,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "spiderpool-controller"}},
		Type: corev1.SecretTypeTLS,
		Data: b.setData(nil),
	}
	if err := s.writer.Create(ctx, secret); err != nil {
		return fmt.Errorf("create Secret %s: %w", s.key, err)
	}
	return nil
}
