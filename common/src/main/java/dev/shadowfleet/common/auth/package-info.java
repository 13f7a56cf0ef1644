/** API tokens: their format, generation and the hash stored in place of them. */
package dev.shadowfleet.common.auth;
