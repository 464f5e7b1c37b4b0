LOAD <secret.nt>
