LOAD SILENT <http://127.0.0.1:@PORT@/secret.nt>
