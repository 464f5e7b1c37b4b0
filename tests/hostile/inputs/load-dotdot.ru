LOAD <file://@IN@/d.ttl/../../canary/secret.nt>
