LOAD <file://@CANARY@/secret.nt>
