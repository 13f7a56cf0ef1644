/** Access control: API-token authentication, roles, the token store and the caller of a request. */
package dev.shadowfleet.coordinator.auth;
