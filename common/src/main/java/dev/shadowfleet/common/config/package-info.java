/** Attack and certifier parameter records, validated when built, with the paper's presets. */
package dev.shadowfleet.common.config;
