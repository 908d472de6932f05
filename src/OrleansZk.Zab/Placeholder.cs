namespace OrleansZk.Zab;
