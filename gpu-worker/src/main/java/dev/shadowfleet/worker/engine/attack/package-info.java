/** The Shadow Attack: penalties, spoofing losses, the batched optimiser and the per-image runner. */
package dev.shadowfleet.worker.engine.attack;
