LOAD <file://@IN@/%64.ttl> ; LOAD <file://@IN@/%2e%2e/canary/secret.nt>
